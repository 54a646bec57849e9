"""Tournaments: bot-only games played in-process on the pure engine, without sockets.

Each game creates a session with `game.engine`, seats one bot per team (the facilitator's
`assign_seat`, so the log marks every seat as a bot), starts it, and then loops on a simulated
clock (milliseconds):

- every team's bot in turn gets the `View` of its own seat and may return one command, which
  is applied at once (each applied command moves the clock on by `STEP_MS`);
- when no bot has anything to do, the automated facilitator lets the next deadline fall
  (moves the clock to it and ticks) or, when no clock is running, advances the phase.

Strategies are assigned to teams by a scheme (`assign`), from a seed; the same seed and
arguments give the same games and the same report.
"""

from __future__ import annotations

import csv
import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from clients.bots import registry
from game import engine
from game.analysis.outcomes import Analysis, analyse_item
from game.commands import (
    FACILITATOR,
    SYSTEM,
    Actor,
    Advance,
    AssignSeat,
    Clauses,
    Command,
    End,
    Start,
)
from game.commands import Tick as TickCommand
from game.disclosure import Viewer
from game.events import Ev, Passed
from game.scenario.model import Scenario
from game.state import SessionState
from game.utility import item_utility
from game.views import View, view

T0 = 1_700_000_000_000
STEP_MS = 250
MAX_COMMANDS = 50_000
"""A game that has not concluded after this many bot commands is ended (and flagged)."""

Scheme = Literal["rotate", "all", "random"]
SCHEMES: tuple[str, ...] = ("rotate", "all", "random")
Observer = Callable[[str, View, Command | None], None]


# --- one game -------------------------------------------------------------------------------


@dataclass
class Rejected:
    team: str
    command: str
    code: str
    reason: str


@dataclass
class GameResult:
    game: int
    seed: int
    strategies: dict[str, str]
    adopted: dict[str, bool]
    texts: dict[str, dict | None]
    scores: dict[str, float]
    collective: float
    gaps: dict[str, Gap | None]
    commands: int
    rejected: list[Rejected]
    timeouts: int
    completed: bool
    sim_ms: int
    log: list[Ev] = field(repr=False, default_factory=list)

    @property
    def events(self) -> int:
        return len(self.log)


class Match:
    """A game in progress: the state, the log, the clock, the bots."""

    def __init__(
        self,
        scenario: Scenario,
        strategies: dict[str, str],
        seed: int,
        *,
        observe: Observer | None = None,
    ) -> None:
        self.scenario = scenario
        self.strategies = strategies
        self.seed = seed
        self.now = T0
        self.log: list[Ev] = engine.create(f"game-{seed}", scenario.title, scenario, seed, T0)
        self.state: SessionState = engine.fold(self.log)
        self.teams = [t.id for t in scenario.teams]
        self.bots = {team: registry.make(strategies[team]) for team in self.teams}
        self.rngs = {team: random.Random(f"{seed}:{team}") for team in self.teams}
        self.seats = {team: f"{team}.1" for team in self.teams}
        self.observe = observe
        self.commands = 0
        self.rejected: list[Rejected] = []

    def run(self, command: Command, actor: Actor) -> engine.Outcome:
        outcome = engine.apply(self.state, command, actor, self.now)
        self.log += outcome.events
        return outcome

    def actor(self, team: str) -> Actor:
        return Actor(role="seat", team=team, seat=self.seats[team], bot=True)

    def catch_up(self) -> None:
        due = engine.next_deadline(self.state)
        if due is not None and due <= self.now:
            self.run(TickCommand(), SYSTEM)

    def seat_bots(self) -> None:
        for team in self.teams:
            name = self.strategies[team]
            self.run(AssignSeat(seat=self.seats[team], name=f"{name} bot", bot=name), FACILITATOR)

    def bot_move(self, team: str) -> bool:
        """Ask one team's bot; apply what it returns. Whether it did anything."""
        self.catch_up()
        seat = Viewer(role="seat", team=team, seat=self.seats[team])
        v = view(self.state, seat)
        command = self.bots[team].decide(v, self.rngs[team])
        if self.observe is not None:
            self.observe(team, v, command)
        if command is None:
            return False
        outcome = self.run(command, self.actor(team))
        self.commands += 1
        if outcome.rejection is not None:
            self.rejected.append(
                Rejected(team, command.type, outcome.rejection.code, outcome.rejection.reason)
            )
        self.now += STEP_MS
        return True

    def facilitate(self) -> None:
        """Nobody has anything to do: let the next deadline fall, or advance the phase."""
        due = engine.next_deadline(self.state)
        if due is not None:
            self.now = max(self.now, due)
            self.run(TickCommand(), SYSTEM)
        else:
            outcome = self.run(Advance(), FACILITATOR)
            assert outcome.rejection is None, outcome.rejection
        self.now += STEP_MS

    def play(self, max_commands: int = MAX_COMMANDS) -> bool:
        """Play to the end; whether the session concluded by itself."""
        self.seat_bots()
        self.run(Start(), FACILITATOR)
        while self.state.status == "running" and self.commands < max_commands:
            acted = False
            for team in self.teams:
                if self.state.status != "running":
                    break
                acted = self.bot_move(team) or acted
            if not acted and self.state.status == "running":
                self.facilitate()
        completed = self.state.status == "concluded"
        if not completed:
            self.run(End(), FACILITATOR)
        return completed


@dataclass(frozen=True)
class Gap:
    """How far an adopted text fell from what was possible on its item (utility space of the
    teams that weigh the item; see `game.analysis.outcomes`)."""

    frontier: float
    nash: float | None
    on_frontier: bool


_SPACES: dict[tuple[str, str, int], Analysis | None] = {}


def outcome_space(scenario: Scenario, item_id: str, seed: int) -> Analysis | None:
    """`analyse_item` of an item without an agreement: its frontier and bargaining points.
    Cached: it does not depend on the game (it can take a while on a large space)."""
    key = (scenario.digest, item_id, seed)
    if key not in _SPACES:
        item = scenario.item(item_id)
        assert item is not None
        _SPACES[key] = analyse_item(scenario, item, None, seed=seed)
    return _SPACES[key]


def gap(scenario: Scenario, item_id: str, clauses: Clauses, seed: int) -> Gap | None:
    """The adopted text's gap to the Pareto frontier and to the Nash point, measured as
    `analyse_item(scenario, item, clauses)` measures them (`gap_to_frontier`,
    `gap_to_nash.distance`, `on_frontier`), against the item's cached outcome space."""
    space = outcome_space(scenario, item_id, seed)
    item = scenario.item(item_id)
    if space is None or item is None:
        return None
    actual = []
    for team_id in space.teams:
        team = scenario.team(team_id)
        assert team is not None
        actual.append(item_utility(item, team.weights[item_id], clauses) or 0.0)
    front = [[p.utilities[t] for t in space.teams] for p in space.frontier]
    distance = min((_dist(actual, u) for u in front), default=0.0)
    nash = None
    if space.nash is not None:
        nash = _dist([space.nash.utilities[t] for t in space.teams], actual)
    dominated = any(
        all(a >= b - 1e-12 for a, b in zip(u, actual, strict=True))
        and any(a > b + 1e-12 for a, b in zip(u, actual, strict=True))
        for u in front
    )
    return Gap(frontier=distance, nash=nash, on_frontier=distance <= 1e-9 and not dominated)


def _dist(a: Sequence[float], b: Sequence[float]) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


def play_game(
    scenario: Scenario,
    strategies: dict[str, str],
    seed: int,
    *,
    game: int = 0,
    observe: Observer | None = None,
    max_commands: int = MAX_COMMANDS,
    analyse: bool = True,
    analysis_seed: int = 0,
) -> GameResult:
    """One bot-only game to the end. `strategies` maps every team to a strategy name. With
    `analyse`, each adopted text's gap to its item's frontier is measured (`gap`)."""
    missing = [t.id for t in scenario.teams if t.id not in strategies]
    if missing:
        raise ValueError(f"no strategy for {', '.join(missing)}")
    table = Match(scenario, strategies, seed, observe=observe)
    completed = table.play(max_commands)
    state = table.state
    texts = {
        item.id: (
            dict(state.proposals[state.adopted[item.id]].clauses)
            if item.id in state.adopted
            else None
        )
        for item in scenario.agenda
    }
    return GameResult(
        game=game,
        seed=seed,
        strategies=dict(strategies),
        adopted={item: text is not None for item, text in texts.items()},
        texts=texts,
        scores={t: s.total for t, s in state.scores.items()},
        collective=state.collective,
        gaps={
            item: gap(scenario, item, text, analysis_seed) if analyse and text is not None else None
            for item, text in texts.items()
        },
        commands=table.commands,
        rejected=table.rejected,
        timeouts=sum(1 for e in table.log if isinstance(e, Passed) and e.timeout),
        completed=completed,
        sim_ms=table.now - T0,
        log=table.log,
    )


# --- many games -----------------------------------------------------------------------------


def assign(
    teams: Sequence[str], bots: Sequence[str], games: int, scheme: Scheme, seed: int
) -> list[dict[str, str]]:
    """Which strategy plays which team in each game.

    - `rotate`: game g gives team i the strategy bots[(g + i) mod k]; over k games every team
      plays every strategy once, and every game mixes them.
    - `all`: every combination of strategies over the teams (k ** n), in order, cycled over
      the games (N < k ** n covers only the first N).
    - `random`: each team's strategy drawn independently from `bots`, from the seed.
    """
    if not bots:
        raise ValueError("name at least one bot strategy")
    for name in bots:
        if name not in registry.STRATEGIES:
            registry.make(name)  # raises with the known names
    k, n = len(bots), len(teams)
    if scheme == "rotate":
        return [{t: bots[(g + i) % k] for i, t in enumerate(teams)} for g in range(games)]
    if scheme == "all":
        out = []
        for g in range(games):
            index = g % (k**n)
            digits = []
            for _ in range(n):
                index, d = divmod(index, k)
                digits.append(d)
            out.append({t: bots[d] for t, d in zip(teams, reversed(digits), strict=True)})
        return out
    if scheme == "random":
        rng = random.Random(f"assign:{seed}")
        return [{t: rng.choice(list(bots)) for t in teams} for _ in range(games)]
    raise ValueError(f"unknown scheme {scheme!r} (known: {', '.join(SCHEMES)})")


def game_seed(seed: int, game: int) -> int:
    return seed * 10_000 + game


@dataclass
class Report:
    scenario: str
    games: int
    seed: int
    scheme: str
    bots: list[str]
    results: list[GameResult]

    # --- aggregates -----------------------------------------------------------------------

    def items(self) -> list[str]:
        return list(self.results[0].adopted) if self.results else []

    def agreement_rate(self, item: str) -> float:
        return _mean([1.0 if r.adopted[item] else 0.0 for r in self.results])

    def gaps(self, item: str, which: str) -> list[float]:
        out = []
        for r in self.results:
            g = r.gaps.get(item)
            if g is None:
                continue
            if which == "frontier":
                out.append(g.frontier)
            elif which == "nash" and g.nash is not None:
                out.append(g.nash)
            elif which == "on_frontier":
                out.append(1.0 if g.on_frontier else 0.0)
        return out

    def team_scores(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for r in self.results:
            for team, score in r.scores.items():
                out.setdefault(team, []).append(score)
        return out

    def strategy_scores(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {name: [] for name in self.bots}
        for r in self.results:
            for team, score in r.scores.items():
                out.setdefault(r.strategies[team], []).append(score)
        return out

    def rows(self) -> list[dict[str, object]]:
        """The report as rows of (section, subject, metric, value, n): the CSV's lines."""
        rows: list[dict[str, object]] = []

        def add(section: str, subject: str, metric: str, values: list[float]) -> None:
            value = round(_mean(values), 6) if values else ""
            rows.append(
                {
                    "section": section,
                    "subject": subject,
                    "metric": metric,
                    "value": value,
                    "n": len(values),
                }
            )

        for item in self.items():
            add("item", item, "agreement_rate", [float(r.adopted[item]) for r in self.results])
            add("item", item, "gap_to_frontier", self.gaps(item, "frontier"))
            add("item", item, "gap_to_nash", self.gaps(item, "nash"))
            add("item", item, "on_frontier_rate", self.gaps(item, "on_frontier"))
        for team, scores in self.team_scores().items():
            add("team", team, "mean_score", scores)
        for name, scores in self.strategy_scores().items():
            add("strategy", name, "mean_score", scores)
        add("session", "all", "collective_security", [r.collective for r in self.results])
        add("session", "all", "bot_commands", [float(r.commands) for r in self.results])
        add("session", "all", "rejected_commands", [float(len(r.rejected)) for r in self.results])
        add("session", "all", "timed_out_turns", [float(r.timeouts) for r in self.results])
        add("session", "all", "completed", [float(r.completed) for r in self.results])
        return rows

    # --- output ---------------------------------------------------------------------------

    def write_csv(self, path: Path | str) -> None:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=["section", "subject", "metric", "value", "n"])
            writer.writeheader()
            writer.writerows(self.rows())

    def write_games_csv(self, path: Path | str) -> None:
        """One row per game: the strategies, what was adopted, the scores."""
        teams = list(self.results[0].scores) if self.results else []
        fields = ["game", "seed"]
        fields += [f"strategy:{t}" for t in teams] + [f"adopted:{i}" for i in self.items()]
        fields += [f"score:{t}" for t in teams] + ["collective", "commands", "rejected"]
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            for r in self.results:
                row: dict[str, object] = {"game": r.game, "seed": r.seed}
                row.update({f"strategy:{t}": r.strategies[t] for t in teams})
                row.update({f"adopted:{i}": int(r.adopted[i]) for i in self.items()})
                row.update({f"score:{t}": r.scores[t] for t in teams})
                row.update(collective=r.collective, commands=r.commands, rejected=len(r.rejected))
                writer.writerow(row)

    def text(self) -> str:
        """The report as a person reads it."""
        lines = [
            f"Tournament: {self.scenario}, {self.games} games, seed {self.seed}, "
            f"scheme {self.scheme}, bots {', '.join(self.bots)}",
            "",
            f"{'item':<28}{'agreed':>8}{'gap to frontier':>18}{'gap to Nash':>13}"
            f"{'on frontier':>13}",
        ]
        for item in self.items():
            front, nash = self.gaps(item, "frontier"), self.gaps(item, "nash")
            on = self.gaps(item, "on_frontier")
            lines.append(
                f"{item:<28}{self.agreement_rate(item):>8.0%}{_fmt(front, 18)}{_fmt(nash, 13)}"
                f"{_fmt(on, 13, pct=True)}"
            )
        lines += ["", f"{'team':<28}{'mean score':>12}"]
        for team, scores in self.team_scores().items():
            lines.append(f"{team:<28}{_mean(scores):>12.1f}")
        lines += ["", f"{'strategy':<28}{'mean score':>12}{'seats':>8}"]
        for name, scores in self.strategy_scores().items():
            lines.append(f"{name:<28}{_fmt(scores, 12, digits=1)}{len(scores):>8}")
        collective = _mean([r.collective for r in self.results])
        rejected = sum(len(r.rejected) for r in self.results)
        timeouts = sum(r.timeouts for r in self.results)
        unfinished = sum(1 for r in self.results if not r.completed)
        commands = sum(r.commands for r in self.results)
        lines += [
            "",
            f"mean collective security: {collective:.1f}",
            f"bot commands: {commands}, rejected: {rejected}, timed-out turns: {timeouts}, "
            f"games ended unfinished: {unfinished}",
        ]
        return "\n".join(lines)


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _fmt(values: Sequence[float], width: int, *, pct: bool = False, digits: int = 3) -> str:
    if not values:
        return f"{'—':>{width}}"
    m = _mean(values)
    return f"{m:>{width}.0%}" if pct else f"{m:>{width}.{digits}f}"


def tournament(
    scenario: Scenario,
    games: int,
    seed: int,
    bots: Sequence[str] | None = None,
    scheme: Scheme = "rotate",
    *,
    progress: Callable[[GameResult], None] | None = None,
) -> Report:
    """Play `games` bot-only games of `scenario` and report on them."""
    names = list(bots) if bots else registry.names()
    teams = [t.id for t in scenario.teams]
    results = []
    for g, strategies in enumerate(assign(teams, names, games, scheme, seed)):
        result = play_game(scenario, strategies, game_seed(seed, g), game=g, analysis_seed=seed)
        result.log = []  # a tournament keeps the numbers, not every log
        results.append(result)
        if progress is not None:
            progress(result)
    return Report(
        scenario=scenario.id, games=games, seed=seed, scheme=scheme, bots=names, results=results
    )
