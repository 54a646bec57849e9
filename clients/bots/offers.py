"""Building texts: a bot's ideal text, a concession from it toward the texts on the table down
to a target utility, and a compromise of several texts.

Utilities are linear and additive over issues (`game.utility`), so the search works issue by
issue over a small set of candidate values per issue. Every function reads only the bot's
`Situation` (its own weights and public texts). Contribution issues are not built here
(`burden.py` builds packages); a text built here leaves them to the caller.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from clients.bots.situation import EPS, Situation
from game.commands import Clauses, ClauseValue
from game.scenario.agenda import Issue, Item

NUMBER_GRID = 21
"""At most this many values of a number issue are considered (its steps, or evenly spaced)."""
MAX_MOVES = 200


# --- candidate values -----------------------------------------------------------------------


def snap(issue: Issue, x: float) -> float:
    """`x` clamped to the issue's range and rounded to its step."""
    assert issue.min is not None and issue.max is not None
    x = min(issue.max, max(issue.min, x))
    if issue.step:
        x = issue.min + issue.step * round((x - issue.min) / issue.step)
        x = min(issue.max, max(issue.min, x))
    x = round(x, 6)
    return int(x) if float(x).is_integer() else x


def pool(sit: Situation, issue: Issue) -> list[str]:
    return list(issue.candidates or [t.id for t in sit.state.scenario.teams])


def member_bounds(sit: Situation, issue: Issue) -> tuple[int, int]:
    n = len(pool(sit, issue))
    top = min(issue.max_members or n, n)
    return min(issue.min_members, top), top


def values(sit: Situation, item: Item, issue: Issue, anchors: Sequence[Clauses] = ()) -> list:
    """The candidate values of one issue: every option; a grid of numbers (with the bot's own
    curve's corners and the anchors' values); for members, the bot's top-k sets and the
    anchors' sets."""
    if issue.kind == "choice":
        return [o.id for o in issue.options]
    if issue.kind == "number":
        assert issue.min is not None and issue.max is not None
        lo, hi = issue.min, issue.max
        if issue.step and (hi - lo) / issue.step + 1 <= NUMBER_GRID:
            grid = [lo + k * issue.step for k in range(round((hi - lo) / issue.step) + 1)]
        else:
            grid = [lo + (hi - lo) * k / (NUMBER_GRID - 1) for k in range(NUMBER_GRID)]
        w = (sit.weights(item) or {}).get(issue.id)
        extra = [x for x, _ in w.points] if w else []
        extra += [a[issue.id] for a in anchors if isinstance(a.get(issue.id), int | float)]
        return sorted({snap(issue, float(x)) for x in [*grid, *extra]})
    if issue.kind == "members":
        ranked = ranked_members(sit, item, issue)
        lo, hi = member_bounds(sit, issue)
        sets = [sorted(ranked[:k]) for k in range(max(lo, 1), hi + 1)]
        if lo == 0:
            sets.insert(0, [])
        sets += [sorted(a[issue.id]) for a in anchors if isinstance(a.get(issue.id), list)]
        out: list = []
        for s in sets:
            if s not in out:
                out.append(s)
        return out
    return []


def ranked_members(sit: Situation, item: Item, issue: Issue) -> list[str]:
    """Candidates for a members issue, best for the bot first (the pool's order on ties)."""
    w = (sit.weights(item) or {}).get(issue.id)
    candidates = pool(sit, issue)
    if w is None:
        return candidates
    return sorted(candidates, key=lambda m: -w.members.get(m, 0.0))


# --- closeness to other texts ---------------------------------------------------------------


def issue_similarity(issue: Issue, a: ClauseValue | None, b: ClauseValue | None) -> float:
    if a is None or b is None:
        return 0.0
    if issue.kind == "number" and isinstance(a, int | float) and isinstance(b, int | float):
        assert issue.min is not None and issue.max is not None
        span = issue.max - issue.min
        return 1.0 if span <= 0 else 1.0 - min(1.0, abs(a - b) / span)
    if issue.kind == "members" and isinstance(a, list) and isinstance(b, list):
        union = set(a) | set(b)
        return 1.0 if not union else len(set(a) & set(b)) / len(union)
    return 1.0 if a == b else 0.0


def similarity(item: Item, a: Clauses, b: Clauses) -> float:
    """How alike two texts are, in [0, 1], issue by issue with equal weights (a bot does not
    know how others weigh the issues). Contribution issues are left out."""
    issues = [i for i in item.issues if i.kind != "contributions"]
    if not issues:
        return 1.0
    return sum(issue_similarity(i, a.get(i.id), b.get(i.id)) for i in issues) / len(issues)


def closeness(
    item: Item,
    text: Clauses,
    anchors: Sequence[Clauses],
    weights: Sequence[float] | None = None,
) -> float:
    """Mean similarity of `text` to the anchors (weighted, if `weights` are given)."""
    if not anchors:
        return 0.0
    w = list(weights) if weights is not None else [1.0] * len(anchors)
    total = sum(w)
    if total <= 0:
        return 0.0
    return sum(k * similarity(item, text, a) for k, a in zip(w, anchors, strict=True)) / total


# --- the ideal text and concessions from it -------------------------------------------------


def best_value(sit: Situation, item: Item, issue: Issue, anchors: Sequence[Clauses]) -> ClauseValue:
    """The bot's favourite value of an issue; on an issue it does not weigh, the value the
    anchors agree on (a free concession), else a neutral one."""
    w = (sit.weights(item) or {}).get(issue.id)
    if w is None or w.weight <= 0:
        if anchors:
            return compromise_value(sit, item, issue, anchors)
        return neutral_value(sit, issue)
    cands = values(sit, item, issue, anchors)
    return max(cands, key=lambda v: sit.issue_value_score(item, issue, v))


def neutral_value(sit: Situation, issue: Issue) -> ClauseValue:
    if issue.kind == "choice":
        return issue.options[(len(issue.options) - 1) // 2].id
    if issue.kind == "number":
        assert issue.min is not None and issue.max is not None
        return snap(issue, (issue.min + issue.max) / 2)
    lo, _ = member_bounds(sit, issue)
    return sorted(pool(sit, issue)[: max(lo, 1)])


def ideal(sit: Situation, item: Item, anchors: Sequence[Clauses] = ()) -> Clauses:
    return {
        i.id: best_value(sit, item, i, anchors) for i in item.issues if i.kind != "contributions"
    }


def max_utility(sit: Situation, item: Item) -> float:
    u = sit.utility(item, ideal(sit, item))
    return u if u is not None else 0.0


def concede(
    sit: Situation,
    item: Item,
    target: float,
    anchors: Sequence[Clauses],
    weights: Sequence[float] | None = None,
) -> Clauses:
    """A text worth at least `target` to the bot (or its ideal, if none is), conceded from
    its ideal as far as the target allows.

    With texts from others on the table (`anchors`), each step moves one issue toward them,
    taking the move that brings the text closest to them per unit of utility given up (so
    the bot gives first where it cares least: logrolling). Without anchors, each step drops
    one issue to its next-best value for the bot, cheapest first (Faratin's issue-by-issue
    concession). `weights` weigh the anchors (equal by default)."""
    text = ideal(sit, item, anchors)
    u = sit.utility(item, text)
    if u is None or u <= target:
        return text
    issues = [i for i in item.issues if i.kind != "contributions"]
    cands = {i.id: values(sit, item, i, anchors) for i in issues}
    here = closeness(item, text, anchors, weights)
    for _ in range(MAX_MOVES):
        best: tuple[float, float, Clauses, float] | None = None
        for issue in issues:
            current = text[issue.id]
            for value in _moves(sit, item, issue, current, cands[issue.id], bool(anchors)):
                trial = {**text, issue.id: value}
                u2 = sit.utility(item, trial)
                if u2 is None or u2 < target - EPS:
                    continue
                if anchors:
                    gain = closeness(item, trial, anchors, weights) - here
                    if gain <= EPS:
                        continue
                else:
                    gain = 1.0
                loss = max(u - u2, 1e-6)
                score = gain / loss
                if best is None or score > best[0] + EPS:
                    best = (score, u2, trial, closeness(item, trial, anchors, weights))
        if best is None:
            break
        _, u, text, here = best
    return text


def _moves(
    sit: Situation, item: Item, issue: Issue, current: ClauseValue, cands: list, anchored: bool
) -> list:
    if anchored:
        return [v for v in cands if v != current]
    # Without anchors: the next value down the bot's own scale on this issue.
    here = sit.issue_value_score(item, issue, current)
    lower = [v for v in cands if sit.issue_value_score(item, issue, v) < here - EPS]
    if not lower:
        return []
    top = max(sit.issue_value_score(item, issue, v) for v in lower)
    return [v for v in lower if sit.issue_value_score(item, issue, v) >= top - EPS][:1]


# --- compromise -----------------------------------------------------------------------------


def compromise_value(
    sit: Situation,
    item: Item,
    issue: Issue,
    texts: Sequence[Clauses],
    weights: Sequence[float] | None = None,
) -> ClauseValue:
    """The value that best balances `texts` on one issue: the option most of them share (on a
    tie, the bot's favourite if it weighs the issue, else the middle one in the option list),
    the median number, or the members most of them include. `weights` weigh the texts
    (equal by default)."""
    w = list(weights) if weights is not None else [1.0] * len(texts)
    seen = [(t[issue.id], k) for t, k in zip(texts, w, strict=True) if issue.id in t]
    if not seen:
        return neutral_value(sit, issue)
    if issue.kind == "choice":
        counts: Counter = Counter()
        for v, k in seen:
            if isinstance(v, str):
                counts[v] += k
        top = max(counts.values())
        order = [o.id for o in issue.options]
        tied = sorted((v for v, c in counts.items() if c >= top - EPS), key=order.index)
        if (sit.weights(item) or {}).get(issue.id) is not None:
            return max(tied, key=lambda v: sit.issue_value_score(item, issue, v))
        return tied[(len(tied) - 1) // 2]
    if issue.kind == "number":
        nums = sorted((float(v), k) for v, k in seen if isinstance(v, int | float))
        if weights is None:
            return snap(issue, statistics.median(x for x, _ in nums))
        half, run = sum(k for _, k in nums) / 2, 0.0
        for x, k in nums:
            run += k
            if run >= half - EPS:
                return snap(issue, x)
        return snap(issue, nums[-1][0])
    counts = Counter()
    for v, k in seen:
        if isinstance(v, list):
            for m in v:
                counts[m] += k
    total = sum(k for _, k in seen)
    order = pool(sit, issue)
    ranked = sorted(counts, key=lambda m: (-counts[m], order.index(m) if m in order else 0))
    lo, hi = member_bounds(sit, issue)
    chosen = [m for m in ranked if counts[m] * 2 >= total - EPS][:hi]
    for m in ranked + order:
        if len(chosen) >= lo:
            break
        if m not in chosen:
            chosen.append(m)
    return sorted(chosen)


def compromise(
    sit: Situation, item: Item, texts: Sequence[Clauses], weights: Sequence[float] | None = None
) -> Clauses:
    return {
        i.id: compromise_value(sit, item, i, texts, weights)
        for i in item.issues
        if i.kind != "contributions"
    }


def same_value(x: ClauseValue | None, y: ClauseValue | None) -> bool:
    if isinstance(x, list) and isinstance(y, list):
        return sorted(x) == sorted(y)
    return x == y


def same_text(item: Item, a: Clauses, b: Clauses) -> bool:
    """Equal clause by clause (member lists in any order)."""
    return all(same_value(a.get(i.id), b.get(i.id)) for i in item.issues)


def changes(item: Item, old: Clauses, new: Clauses) -> Clauses:
    """The clauses of `new` that differ from `old`."""
    return {
        i.id: new[i.id]
        for i in item.issues
        if i.id in new and not same_value(old.get(i.id), new[i.id])
    }
