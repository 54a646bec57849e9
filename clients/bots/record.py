"""The public record of an item, and what it says about each voter.

Once a ballot closes, everyone sees who voted how (the teams and the Council's non-player
members alike) on which text; and every text a team tables, revises or amends is public.
From that record a bot predicts how a voter would vote on a text it has in mind:

- a text the voter already voted on: as it voted last time;
- a text that keeps what the voter objected to in a text it turned down, and is more like
  that text than like any it accepted: no;
- otherwise: nothing is known (counted as a yes, so that only evidence blocks a text).

What a voter objected to in a text it voted against is found by comparing that text with
the text it accepted that is most like it (voted for or, for a team, put forward itself):
the clauses in which they differ are the ones to move ("a veto names the clause to move").
A non-player's preferences never change, so all its votes count; a team lowers its targets
as the session runs, so only its votes in the latest round in which it voted count, and its
amendments to others' texts in the latest round in which it made any say what it objects to
(the clauses it changed, as they stood: "the amendment names the clause").

Everything here reads the bot's `Situation` (its own `View`): nothing hidden.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from clients.bots import offers
from clients.bots.situation import EPS, Situation
from game.commands import Choice, Clauses
from game.decision_rules import tally
from game.moves.ballots import as_voter, electorate
from game.scenario.agenda import Item


@dataclass(frozen=True)
class Cast:
    """One closed ballot: the text voted on (an amendment merged into its proposal), how
    each voter voted, whether it passed."""

    ballot: str
    round: int
    text: Clauses
    votes: dict[str, Choice]
    adopted: bool
    amendment: bool


def _number(ballot_id: str) -> int:
    digits = "".join(c for c in ballot_id if c.isdigit())
    return int(digits) if digits else 0


def casts(sit: Situation, item: Item) -> list[Cast]:
    """Every closed ballot on `item`, oldest first (cached for the decision)."""
    cache = sit.__dict__.setdefault("_casts", {})
    if item.id not in cache:
        out = []
        s = sit.state
        for ballot in sorted(s.ballots.values(), key=lambda b: _number(b.id)):
            if ballot.item != item.id or ballot.status != "closed" or ballot.silence:
                continue
            try:
                text = sit.ballot_text(ballot.subject)
            except KeyError:
                continue
            out.append(
                Cast(
                    ballot=ballot.id,
                    round=ballot.round,
                    text=dict(text),
                    votes=dict(ballot.votes),
                    adopted=bool(ballot.adopted),
                    amendment=ballot.subject in s.amendments,
                )
            )
        cache[item.id] = out
    return cache[item.id]


def voters(sit: Situation, item: Item) -> list[str]:
    """Everyone entitled to vote on `item` (teams and the Council's non-players)."""
    return electorate(sit.state.scenario, item)


def is_team(sit: Situation, voter: str) -> bool:
    return sit.state.scenario.team(voter) is not None


def key(item: Item, text: Clauses) -> tuple:
    """A text's clauses other than contributions, in a form that compares equal for equal
    texts (member lists in any order)."""
    out = []
    for issue in item.issues:
        if issue.kind == "contributions":
            continue
        value = text.get(issue.id)
        out.append(tuple(sorted(value)) if isinstance(value, list) else value)
    return tuple(out)


def _relevant(sit: Situation, item: Item, voter: str) -> list[Cast]:
    """The ballots whose votes still say something about `voter`: all of a non-player's; a
    team's in the latest round in which it voted on the item."""
    mine = [c for c in casts(sit, item) if c.votes.get(voter) in ("yes", "no")]
    if not mine or not is_team(sit, voter):
        return mine
    last = max(c.round for c in mine)
    return [c for c in mine if c.round == last]


def _votes_by_text(sit: Situation, item: Item, voter: str) -> dict[tuple, tuple[Choice, int]]:
    """`voter`'s latest vote (and its round) on each text it voted on, among the ballots that
    still count for it (cached for the decision)."""
    cache = sit.__dict__.setdefault("_votes_by_text", {})
    if (item.id, voter) not in cache:
        cache[(item.id, voter)] = {
            key(item, c.text): (c.votes[voter], c.round) for c in _relevant(sit, item, voter)
        }
    return cache[(item.id, voter)]


@dataclass(frozen=True)
class Objection:
    """A text a voter turned down (`text`) in a round, and the clauses it objected to in it
    (`to`)."""

    to: dict
    text: Clauses
    round: int


def stance(sit: Situation, item: Item, voter: str) -> tuple[list[Clauses], list[Objection]]:
    """The texts `voter` accepted and what it objected to (cached for the decision).

    A non-player (all its votes) or a team (its votes in the latest round in which it voted
    on the item) accepted the texts it voted for, and objected, in each text it voted
    against, to the clauses in which that text differs from the accepted text most like it
    (to all of them if it accepted none). A team also accepted its latest text, and the texts
    its amendments to others' texts (in the latest round in which it made any) turned those
    into; it objected there to the clauses it changed, as they stood."""
    cache = sit.__dict__.setdefault("_stance", {})
    if (item.id, voter) in cache:
        return cache[(item.id, voter)]
    accepted: list[Clauses] = []
    rejected: list[tuple[Clauses, int]] = []
    for c in _relevant(sit, item, voter):
        if c.votes[voter] == "yes":
            accepted.append(c.text)
        else:
            rejected.append((c.text, c.round))
    objections: list[Objection] = []
    if is_team(sit, voter):
        texts = sit.offers_by(item, voter)
        if texts:
            accepted.append(texts[-1][1])
        for before, after, rnd in amendments(sit, item, voter):
            accepted.append(after)
            to = {k: v for k, v in before.items() if not offers.same_value(v, after.get(k))}
            if to:
                objections.append(Objection(to=to, text=before, round=rnd))
    issues = [i for i in item.issues if i.kind != "contributions"]
    for text, rnd in rejected:
        if accepted:
            near = max(accepted, key=lambda a: offers.similarity(item, text, a))
            to = {
                i.id: text.get(i.id)
                for i in issues
                if not offers.same_value(text.get(i.id), near.get(i.id))
            }
        else:
            to = {i.id: text.get(i.id) for i in issues}
        if to:
            objections.append(Objection(to=to, text=text, round=rnd))
    cache[(item.id, voter)] = (accepted, objections)
    return accepted, objections


def amendments(sit: Situation, item: Item, team: str) -> list[tuple[Clauses, Clauses, int]]:
    """Each amendment `team` made to another team's text on `item`, in the latest round in
    which it made any: the text as it stood (other clauses), as amended, and the round."""
    s = sit.state
    mine = [
        a
        for a in s.amendments.values()
        if a.team == team
        and a.proposal in s.proposals
        and s.proposals[a.proposal].item == item.id
        and s.proposals[a.proposal].sponsor != team
    ]
    if not mine:
        return []
    last = max(s.proposals[a.proposal].round for a in mine)
    out = []
    for a in sorted(mine, key=lambda a: a.seq):
        p = s.proposals[a.proposal]
        if p.round != last:
            continue
        base = next((c for seq, c in reversed(p.versions) if seq <= a.seq), p.clauses)
        base = {i.id: base.get(i.id) for i in item.issues if i.kind != "contributions"}
        after = {**base, **{k: v for k, v in a.clauses.items() if k in base}}
        out.append((base, after, p.round))
    return out


def keeps(text: Clauses, pattern: dict) -> bool:
    return all(offers.same_value(text.get(k), v) for k, v in pattern.items())


def trust(sit: Situation, voter: str, rnd: int) -> float:
    """How far a voter's word from round `rnd` still holds: a non-player's always; a team's
    from this round fully, from an earlier round less as the session runs (its targets fall
    toward its reservation, so what it refused then it may take at the end)."""
    if not is_team(sit, voter) or rnd >= sit.state.round:
        return 1.0
    return max(0.0, 1.0 - sit.t)


def predict(sit: Situation, item: Item, voter: str, text: Clauses) -> tuple[Choice, float] | None:
    """How `voter` would vote on `text`, as far as the record tells, and how far to trust
    that (`trust`); None if the record does not tell.

    As it voted on the same text (in the ballots that still count for it); else no, if the
    text keeps the clauses it objected to in a text it turned down and is more like that
    text than like any text it accepted (the objection may depend on the rest of the text:
    a clause objected to beside one clause may be accepted beside another)."""
    said = _votes_by_text(sit, item, voter).get(key(item, text))
    if said is not None:
        return said[0], trust(sit, voter, said[1])
    accepted, objections = stance(sit, item, voter)
    kept = [o for o in objections if keeps(text, o.to)]
    if not kept:
        return None
    near = max((offers.similarity(item, text, a) for a in accepted), default=-1.0)
    for o in kept:
        if offers.similarity(item, text, o.text) > near + EPS:
            return "no", trust(sit, voter, o.round)
    return None


def blockers(sit: Situation, item: Item, text: Clauses, mine: Choice = "yes") -> dict[str, float]:
    """The voters predicted to vote against `text` when their votes stop it passing under the
    item's rule (the bot's own vote taken as `mine`), each with how far its predicted no is
    trusted; empty if the text is predicted to pass."""
    ids = voters(sit, item)
    votes: dict[str, Choice] = {}
    weight: dict[str, float] = {}
    for v in ids:
        if v == sit.team:
            votes[v] = mine
            continue
        guess = predict(sit, item, v, text)
        votes[v] = guess[0] if guess else "yes"
        if guess and guess[0] == "no":
            weight[v] = guess[1]
    if not weight:
        return {}
    if item.rule.kind != "silence_procedure":
        result = tally(item.rule, [as_voter(sit.state, v) for v in ids], votes)
        if result.adopted:
            return {}
    return weight


DOUBT = 0.5
"""A text whose predicted blockers' trust adds up to this much is expected to fail."""


def doubt(sit: Situation, item: Item, text: Clauses) -> float:
    """How sure the record makes the bot that `text` would fail: its predicted blockers'
    trust, added up (0: nothing known against it). Cached for the decision."""
    cache = sit.__dict__.setdefault("_doubt", {})
    k = (item.id, key(item, text))
    if k not in cache:
        cache[k] = sum(blockers(sit, item, text).values())
    return cache[k]


def passes(sit: Situation, item: Item, text: Clauses) -> bool:
    return doubt(sit, item, text) < DOUBT - EPS


# --- steering clear of predicted vetoes -------------------------------------------------------

REPAIR_DEPTH = 2
"""At most this many clauses are changed to steer a text clear of predicted objections."""
REPAIR_WIDTH = 8
"""A second clause is tried beside the first only for this many of the best first changes."""


def _one_clause_changes(
    item: Item, base: Clauses, issues: list, cands: dict[str, list], seen: set
) -> Iterator[tuple[str, object, Clauses]]:
    """Each text one clause away from `base` (a candidate value on a weighted issue) not yet
    in `seen`, as (issue id, value, text); each is added to `seen` as it is given."""
    for issue in issues:
        for value in cands[issue.id]:
            if offers.same_value(value, base.get(issue.id)):
                continue
            trial = {**base, issue.id: value}
            k = key(item, trial)
            if k in seen:
                continue
            seen.add(k)
            yield issue.id, value, trial


def clear(
    sit: Situation, item: Item, text: Clauses, target: float, anchors: list[Clauses]
) -> Clauses:
    """`text`, or, if the record predicts that it fails (`passes`), the text within a clause
    or two of it that the record doubts least (`doubt`), still worth `target` to the bot
    (the one nearest the anchors, then the best for the bot, among equals)."""
    if passes(sit, item, text):
        return text
    issues = [i for i in item.issues if i.kind != "contributions"]
    cands = {i.id: offers.values(sit, item, i, anchors) for i in issues}

    def rank(t: Clauses) -> tuple[float, float, float]:
        return (
            doubt(sit, item, t),
            -offers.closeness(item, t, anchors),
            -(sit.utility(item, t) or 0.0),
        )

    best, best_rank = text, rank(text)
    frontier = [text]
    seen = {key(item, text)}
    for _ in range(REPAIR_DEPTH):
        ranked: list[tuple[tuple[float, float, float], Clauses]] = []
        for base in frontier:
            for _, _, trial in _one_clause_changes(item, base, issues, cands, seen):
                u = sit.utility(item, trial)
                if u is None or u < target - EPS:
                    continue
                r = rank(trial)
                ranked.append((r, trial))
                if r < best_rank:
                    best, best_rank = trial, r
        if best_rank[0] < EPS:
            break
        ranked.sort(key=lambda x: x[0])
        frontier = [t for _, t in ranked[:REPAIR_WIDTH]]
    return best


def fix(
    sit: Situation, item: Item, text: Clauses, target: float, most: int, anchors: list[Clauses]
) -> Clauses | None:
    """The smallest change (at most `most` clauses) that lifts another team's `text` to
    `target` for the bot: among the changes that do, the one the record doubts least
    (`doubt`), then the one with the fewest clauses, then the one that keeps the text nearest
    the others' texts, then the one that gains the bot least (it takes no more than it
    needs). Every change of one clause is tried, and a second clause beside the first changes
    that gain the bot most or that the record doubts least; beyond two, the bot adds the
    clause that gains it most. None if no change of at most `most` clauses does it."""
    u = sit.utility(item, text)
    if u is None or u >= target - EPS:
        return None
    issues = sit.weighted_issues(item)
    cands = {i.id: offers.values(sit, item, i) for i in issues}
    reached: list[tuple[tuple, Clauses]] = []
    seen = {key(item, text)}

    def grow(base: Clauses, change: Clauses, depth: int) -> list[tuple[float, Clauses, Clauses]]:
        out = []
        for issue_id, value, trial in _one_clause_changes(item, base, issues, cands, seen):
            u2 = sit.utility(item, trial)
            if u2 is None:
                continue
            step = {**change, issue_id: value}
            if u2 >= target - EPS:
                rank = (
                    doubt(sit, item, trial),
                    depth,
                    -offers.closeness(item, trial, anchors),
                    u2,
                )
                reached.append((rank, step))
            out.append((u2, trial, step))
        return out

    frontier = grow(dict(text), {}, 1)
    if most >= 2 and not any(r[0][0] < EPS for r in reached):
        # A second clause beside the first changes that gain the bot most or that the record
        # doubts least.
        by_gain = sorted(frontier, key=lambda g: -g[0])[:REPAIR_WIDTH]
        by_doubt = sorted(frontier, key=lambda g: doubt(sit, item, g[1]))[:REPAIR_WIDTH]
        tried: set = set()
        for _, base, change in by_gain + by_doubt:
            if key(item, base) not in tried:
                tried.add(key(item, base))
                grow(base, change, 2)
    depth = 2
    while not reached and depth < most and frontier:
        depth += 1
        frontier.sort(key=lambda g: -g[0])
        frontier = [g for _, b, c in frontier[:3] for g in grow(b, c, depth)]
    if not reached:
        return None
    return min(reached, key=lambda r: r[0])[1]
