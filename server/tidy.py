"""A session's log as tidy tables (one observation per row, one variable per column) and as a
readable transcript, for researchers. docs/codebook.md describes every column; a test checks
that the codebook and these tables agree.

Everything here is derived from the full log by folding it once. `pseudonymise` first rewrites
the log (`pseudonymised`): every seat holder's name becomes `Player 1`, `Player 2`… in the order
the names were first given, in the structured fields (seats, message authors) and inside every
free text the events carry (messages, statements, announcements, injects, titles, notes). Every
file is then derived from that one rewritten log, so a pseudonym is the same everywhere.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from game import engine
from game.analysis.debrief import phase_spans, text_versions
from game.events import (
    AmendmentTabled,
    Announced,
    BallotClosed,
    BallotOpened,
    ChannelOpened,
    Delivered,
    DraftSaved,
    Ev,
    InjectFired,
    MessagePosted,
    PhaseStarted,
    ProposalTabled,
    RoundResolved,
    SeatAssigned,
    SessionConcluded,
    SessionCreated,
    StatementMade,
)
from game.state import SessionState
from server import chain

CODEBOOK = Path(__file__).resolve().parents[1] / "docs" / "codebook.md"
TABLES = (
    "messages",
    "proposals",
    "utilities",
    "votes",
    "pledges",
    "scores",
    "security",
    "phases",
)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def walk(log: Sequence[Ev]) -> Iterator[tuple[Ev, SessionState]]:
    """Each event with the state just after it (the same object, changing as it goes)."""
    state: SessionState | None = None
    with engine.gc_paused():
        for event in log:
            state = engine.fold([event], state)
            yield event, state


def _phase(state: SessionState) -> str:
    return state.scenario.rounds.phases[state.phase].id if state.phase is not None else ""


@dataclass
class Tables:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    state: SessionState | None = None

    def csv(self, name: str) -> str:
        out = io.StringIO()
        rows = self.rows[name]
        writer = csv.DictWriter(out, fieldnames=COLUMNS[name], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()


COLUMNS: dict[str, list[str]] = {
    "messages": [
        "session",
        "seq",
        "at",
        "time",
        "round",
        "phase",
        "channel",
        "channel_kind",
        "channel_teams",
        "team",
        "speaker",
        "role",
        "bot",
        "text",
    ],
    "proposals": [
        "session",
        "seq",
        "at",
        "time",
        "round",
        "proposal",
        "item",
        "sponsor",
        "title",
        "version",
        "how",
        "by",
        "clauses",
        "final_status",
        "cosponsors",
    ],
    "utilities": ["session", "seq", "proposal", "item", "version", "team", "utility"],
    "votes": [
        "session",
        "ballot",
        "item",
        "subject",
        "subject_kind",
        "round",
        "opened_seq",
        "closed_seq",
        "closed_at",
        "silence",
        "voter",
        "choice",
        "adopted",
        "reason",
    ],
    "pledges": [
        "session",
        "team",
        "item",
        "resource",
        "pledged",
        "delivered",
        "outstanding",
        "due_round",
        "broken",
    ],
    "scores": [
        "session",
        "round",
        "final",
        "team",
        "total",
        "agreements",
        "security",
        "objectives",
        "cost",
        "collective",
    ],
    "security": ["session", "round", "region", "security", "threat"],
    "phases": [
        "session",
        "round",
        "phase",
        "kind",
        "started_seq",
        "started_at",
        "ended_seq",
        "ended_at",
        "duration_s",
        "reason",
    ],
}


def tables(log: Sequence[Ev], *, pseudonymise: bool = False) -> Tables:
    """Every table, from one fold of the log (pseudonymised first, if asked)."""
    if pseudonymise:
        log = pseudonymised(log)
    out = Tables(rows={name: [] for name in TABLES})
    state: SessionState | None = None
    session = ""
    for event, state in walk(log):
        session = state.session
        if isinstance(event, MessagePosted):
            channel = state.channels.get(event.channel)
            actor = event.actor
            out.rows["messages"].append(
                {
                    "session": session,
                    "seq": event.seq,
                    "at": event.at,
                    "time": iso(event.at),
                    "round": state.round,
                    "phase": _phase(state),
                    "channel": event.channel,
                    "channel_kind": channel.kind if channel else "",
                    "channel_teams": " ".join(channel.teams) if channel else "",
                    "team": event.team or "",
                    "speaker": event.name,
                    "role": actor.role if actor else "",
                    "bot": bool(actor and actor.bot),
                    "text": event.text,
                }
            )
        elif isinstance(event, RoundResolved):
            _round_rows(out, state, event.round, final=False)
    assert state is not None
    out.state = state
    if state.status == "concluded":
        _round_rows(out, state, state.round, final=True)
    tabled = {e.proposal: e for e in log if isinstance(e, ProposalTabled)}
    versions: dict[str, int] = {}
    for v in text_versions(state, log):
        proposal = state.proposals[v.proposal]
        versions[v.proposal] = versions.get(v.proposal, 0) + 1
        clauses = dict(proposal.versions)[v.seq]
        out.rows["proposals"].append(
            {
                "session": session,
                "seq": v.seq,
                "at": v.at,
                "time": iso(v.at),
                "round": proposal.round,
                "proposal": v.proposal,
                "item": v.item,
                "sponsor": v.sponsor,
                "title": tabled[v.proposal].title if v.proposal in tabled else proposal.title,
                "version": versions[v.proposal],
                "how": v.how,
                "by": v.by,
                "clauses": orjson.dumps(clauses, option=orjson.OPT_SORT_KEYS).decode(),
                "final_status": proposal.status,
                "cosponsors": " ".join(proposal.cosponsors),
            }
        )
        for team, u in v.utilities.items():
            out.rows["utilities"].append(
                {
                    "session": session,
                    "seq": v.seq,
                    "proposal": v.proposal,
                    "item": v.item,
                    "version": versions[v.proposal],
                    "team": team,
                    "utility": u,
                }
            )
    opened = {e.ballot: e for e in log if isinstance(e, BallotOpened)}
    closed = {e.ballot: e for e in log if isinstance(e, BallotClosed)}
    for ballot in state.ballots.values():
        if ballot.status != "closed":
            continue
        end = closed.get(ballot.id)
        for voter in ballot.voters:
            out.rows["votes"].append(
                {
                    "session": session,
                    "ballot": ballot.id,
                    "item": ballot.item,
                    "subject": ballot.subject,
                    "subject_kind": "amendment" if ballot.subject in state.amendments else "text",
                    "round": ballot.round,
                    "opened_seq": opened[ballot.id].seq if ballot.id in opened else "",
                    "closed_seq": end.seq if end else "",
                    "closed_at": end.at if end else "",
                    "silence": ballot.silence,
                    "voter": voter,
                    "choice": ballot.votes.get(voter, "absent"),
                    "adopted": ballot.adopted,
                    "reason": ballot.reason,
                }
            )
    for p in state.pledges:
        out.rows["pledges"].append(
            {
                "session": session,
                "team": p.team,
                "item": p.item,
                "resource": p.resource,
                "pledged": p.amount,
                "delivered": p.delivered,
                "outstanding": max(0.0, p.amount - p.delivered),
                "due_round": p.due_round,
                "broken": p.broken,
            }
        )
    for span in phase_spans(log):
        out.rows["phases"].append(
            {
                "session": session,
                "round": span.round,
                "phase": span.phase,
                "kind": span.kind,
                "started_seq": span.started_seq,
                "started_at": span.started_at,
                "ended_seq": span.ended_seq or "",
                "ended_at": span.ended_at or "",
                "duration_s": round((span.ended_at - span.started_at) / 1000, 3)
                if span.ended_at is not None
                else "",
                "reason": span.reason or "",
            }
        )
    return out


def _round_rows(out: Tables, state: SessionState, round_: int, *, final: bool) -> None:
    for team, score in state.scores.items():
        out.rows["scores"].append(
            {
                "session": state.session,
                "round": round_,
                "final": final,
                "team": team,
                "total": score.total,
                "agreements": score.agreements,
                "security": score.security,
                "objectives": score.objectives,
                "cost": score.cost,
                "collective": state.collective,
            }
        )
    if not final:
        for region in state.regions.values():
            out.rows["security"].append(
                {
                    "session": state.session,
                    "round": round_,
                    "region": region.id,
                    "security": region.security,
                    "threat": region.threat,
                }
            )


# --- pseudonyms ----------------------------------------------------------------------------

NAME_FIELDS: dict[type[Ev], tuple[str, ...]] = {SeatAssigned: ("name",), MessagePosted: ("name",)}
"""Fields that hold a seat holder's name (a message's `name` may also be `Facilitator`, or a
team's name for a seat nobody named: those are kept)."""
TEXT_FIELDS: dict[type[Ev], tuple[str, ...]] = {
    SessionCreated: ("title",),
    MessagePosted: ("text",),
    StatementMade: ("text",),
    Announced: ("text",),
    InjectFired: ("title", "text"),
    ChannelOpened: ("title",),
    DraftSaved: ("title",),
    ProposalTabled: ("title",),
    AmendmentTabled: ("note",),
}
"""Free text in which a player may write anyone's name. The scenario is left as written."""


def _key(name: str) -> str:
    """A name as text matches it: case and runs of spaces aside."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Pseudonyms:
    """Every seat holder's name in a log, as `Player 1`, `Player 2`… in the order the names
    were first given, and a pattern that finds any of them inside free text: whole words, any
    case, any run of spaces between a name's words, the longest name first (so `Ann Lee` is
    one player, not `Ann` and a stray `Lee`)."""

    names: dict[str, str]
    keys: dict[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, log: Sequence[Ev]) -> Pseudonyms:
        names: dict[str, str] = {}
        for event in log:
            if isinstance(event, SeatAssigned) and event.name.strip():
                names.setdefault(event.name, f"Player {len(names) + 1}")
        keys: dict[str, str] = {}
        for name, pseudonym in names.items():
            keys.setdefault(_key(name), pseudonym)
        return cls(names, keys, _pattern(list(keys)))

    def name(self, name: str) -> str:
        return self.names.get(name, name)

    def text(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.keys[_key(m.group(0))], text)

    def event(self, event: Ev) -> Ev:
        """The event with every name replaced in its name and free-text fields."""
        update = {f: self.name(getattr(event, f)) for f in NAME_FIELDS.get(type(event), ())}
        for f in TEXT_FIELDS.get(type(event), ()):
            update[f] = self.text(getattr(event, f))
        return event.model_copy(update=update) if update else event


def _pattern(keys: list[str]) -> re.Pattern[str] | None:
    if not keys:
        return None
    longest_first = sorted(keys, key=len, reverse=True)
    words = [r"\s+".join(re.escape(w) for w in key.split()) for key in longest_first]
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


def pseudonymised(log: Sequence[Ev]) -> list[Ev]:
    """The log with every seat holder's name replaced by its pseudonym, wherever it is
    written. It folds to the original's states but for the names (no name or free text
    decides anything in the engine)."""
    pseudonyms = Pseudonyms.of(log)
    return [pseudonyms.event(event) for event in log]


# --- the JSONL log, chained anew -----------------------------------------------------------


def chained_lines(log: Sequence[Ev]) -> Iterator[bytes]:
    """Export lines for `log`, each event linked into a chain started from genesis."""
    head = chain.GENESIS
    for event in log:
        body = chain.canonical(event)
        head = chain.link(head, body)
        yield b'{"seq":%d,"hash":"%s","event":%s}\n' % (event.seq, head.encode(), body)


# --- the transcript -------------------------------------------------------------------------


@dataclass
class Block:
    """One entry of the transcript: a heading, or a line with its time."""

    kind: str  # "heading" | "line" | "table"
    text: str = ""
    time: str = ""
    who: str = ""
    where: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)


def transcript_blocks(log: Sequence[Ev], *, pseudonymise: bool = False) -> list[Block]:
    if pseudonymise:
        log = pseudonymised(log)
    blocks: list[Block] = []
    state: SessionState | None = None
    for event, state in walk(log):
        s = state
        when = iso(event.at)[11:19]

        def team_name(team: str | None, s: SessionState = s) -> str:
            found = s.scenario.team(team) if team else None
            return found.name if found else (team or "")

        def clause_rows(item_id: str, clauses: dict, s: SessionState = s) -> list[tuple[str, str]]:
            item = s.scenario.item(item_id)
            rows = []
            for issue_id, value in clauses.items():
                issue = item.issue(issue_id) if item else None
                label = issue.title if issue else issue_id
                if issue is not None and issue.kind == "choice":
                    value = next((o.label for o in issue.options if o.id == value), value)
                rows.append(
                    (label, value if isinstance(value, str) else orjson.dumps(value).decode())
                )
            return rows

        match event:
            case PhaseStarted():
                phase = s.scenario.rounds.phases[s.phase] if s.phase is not None else None
                title = (phase.title or phase.id) if phase else event.phase
                blocks.append(Block("heading", f"Round {event.round} · {title}", when))
            case MessagePosted():
                channel = s.channels.get(event.channel)
                where = "the floor"
                if channel is not None and channel.kind == "team":
                    where = f"{team_name(channel.teams[0])}'s team channel"
                elif channel is not None and channel.kind == "private":
                    teams = ", ".join(team_name(t) for t in channel.teams)
                    where = f"private channel {event.channel} ({teams})"
                who = event.name or ("Facilitator" if not event.team else "")
                if event.team:
                    who = f"{who} ({team_name(event.team)})" if who else team_name(event.team)
                blocks.append(Block("line", event.text, when, who, where))
            case StatementMade():
                blocks.append(Block("line", event.text, when, team_name(event.team), "statement"))
            case Announced():
                blocks.append(Block("line", event.text, when, "Facilitator", "announcement"))
            case InjectFired():
                audience = (
                    "everyone"
                    if event.audience == "all"
                    else ", ".join(team_name(t) for t in event.audience)
                )
                text = f"{event.title}: {event.text}" if event.title else event.text
                blocks.append(Block("line", text, when, "News", f"inject to {audience}"))
            case ProposalTabled():
                blocks.append(
                    Block(
                        "table",
                        f"{event.proposal} “{event.title}” tabled on {event.item}",
                        when,
                        team_name(event.sponsor),
                        "tabled",
                        clause_rows(event.item, event.clauses),
                    )
                )
            case BallotClosed():
                ballot = s.ballots[event.ballot]
                votes = ", ".join(f"{team_name(t)} {c}" for t, c in event.votes.items())
                result = "adopted" if event.adopted else "not adopted"
                text = f"Ballot {event.ballot} on {ballot.subject}: {result} ({votes})"
                blocks.append(Block("line", text, when, "Result", "vote"))
            case Delivered():
                text = f"delivered {event.amount:g} {event.resource} for {event.item}"
                blocks.append(Block("line", text, when, team_name(event.team), "delivery"))
            case SessionConcluded():
                blocks.append(Block("heading", "The session ends", when))
                blocks.append(
                    Block(
                        "table",
                        "Final scores",
                        when,
                        "",
                        "scores",
                        [(team_name(t), f"{sc.total:g}") for t, sc in s.scores.items()],
                    )
                )
            case _:
                pass
    return blocks


def transcript_md(log: Sequence[Ev], *, pseudonymise: bool = False) -> str:
    if pseudonymise:
        log = pseudonymised(log)
    first = log[0]
    title = getattr(first, "title", "")
    scenario = getattr(first, "scenario", None)
    lines = [
        f"# {title}",
        "",
        f"Scenario: {scenario.title if scenario else ''}. Session {getattr(first, 'session', '')}, "
        f"started {iso(first.at)}. Times are UTC.",
        "",
    ]
    for b in transcript_blocks(log):
        if b.kind == "heading":
            lines += ["", f"## {b.text}", ""]
        elif b.kind == "line":
            lines += [f"- **{b.time}** {_md(b.who)} ({_md(b.where)}): {_md(b.text)}"]
        else:
            who = f" {_md(b.who)}:" if b.who else ""
            lines += ["", f"**{b.time}**{who} {_md(b.text)}", ""]
            lines += ["| | |", "|---|---|"]
            lines += [f"| {_md(k)} | {_md(v)} |" for k, v in b.rows]
            lines += [""]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"


def _md(text: str) -> str:
    out = str(text).replace("\\", "\\\\")
    for ch in "*_`|<>[]#":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


HTML_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
    "line-height:1.45;color:#1a1d21}h2{border-bottom:1px solid #c9ced6;margin-top:1.5em}"
    "time{color:#4a5058;font-variant-numeric:tabular-nums}.where{color:#4a5058}"
    "table{border-collapse:collapse;margin:.3em 0 1em}td,th{border:1px solid #c9ced6;"
    "padding:.2em .5em;text-align:left}li{margin:.25em 0}"
)


def transcript_html(log: Sequence[Ev], *, pseudonymise: bool = False) -> str:
    if pseudonymise:
        log = pseudonymised(log)
    e = html.escape
    first = log[0]
    title = getattr(first, "title", "")
    scenario = getattr(first, "scenario", None)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)} — transcript</title>",
        f"<style>{HTML_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>Scenario: {e(scenario.title if scenario else '')}. Session "
        f"{e(getattr(first, 'session', ''))}, started {e(iso(first.at))}. Times are UTC.</p>",
    ]
    open_list = False
    for b in transcript_blocks(log):
        if b.kind != "line" and open_list:
            parts.append("</ul>")
            open_list = False
        if b.kind == "heading":
            parts.append(f"<h2>{e(b.text)}</h2>")
        elif b.kind == "line":
            if not open_list:
                parts.append("<ul>")
                open_list = True
            parts.append(
                f"<li><time>{e(b.time)}</time> <strong>{e(b.who)}</strong> "
                f'<span class="where">({e(b.where)})</span>: {e(b.text)}</li>'
            )
        else:
            rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in b.rows)
            parts.append(
                f"<p><time>{e(b.time)}</time> <strong>{e(b.who)}</strong> {e(b.text)}</p>"
                f"<table>{rows}</table>"
            )
    if open_list:
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --- everything at once ---------------------------------------------------------------------

FILES: dict[str, str] = {
    **{f"{name}.csv": "text/csv; charset=utf-8" for name in TABLES},
    "codebook.md": "text/markdown; charset=utf-8",
    "transcript.md": "text/markdown; charset=utf-8",
    "transcript.html": "text/html; charset=utf-8",
    "log.jsonl": "application/x-ndjson",
    "bundle.zip": "application/zip",
}


def render(
    name: str,
    log: Sequence[Ev],
    full_log: Callable[[], bytes],
    *,
    pseudonymise: bool = False,
) -> bytes:
    """One export file. `full_log` gives the stored JSONL (with the original chain); a
    pseudonymised file is derived from the pseudonymised log (`pseudonymised`)."""
    if pseudonymise:
        log = pseudonymised(log)
        full_log = partial(_chained, log)
    if name.endswith(".csv") and name[:-4] in TABLES:
        return tables(log).csv(name[:-4]).encode()
    if name == "codebook.md":
        return CODEBOOK.read_bytes()
    if name == "transcript.md":
        return transcript_md(log).encode()
    if name == "transcript.html":
        return transcript_html(log).encode()
    if name == "log.jsonl":
        return full_log()
    if name == "bundle.zip":
        return bundle(log, full_log)
    raise KeyError(name)


def _chained(log: Sequence[Ev]) -> bytes:
    """The pseudonymised log as a file: its bytes differ from the stored events', which the
    original chain cannot cover, so it carries a chain of its own from genesis that checks and
    replays (with its own hashes and state hash)."""
    return b"".join(chained_lines(log))


def bundle(log: Sequence[Ev], full_log: Callable[[], bytes]) -> bytes:
    """Every file in one zip: the log, each table, the codebook and both transcripts."""
    out = io.BytesIO()
    t = tables(log)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("log.jsonl", full_log())
        for name in TABLES:
            z.writestr(f"{name}.csv", t.csv(name))
        z.writestr("codebook.md", CODEBOOK.read_bytes())
        z.writestr("transcript.md", transcript_md(log))
        z.writestr("transcript.html", transcript_html(log))
    return out.getvalue()
