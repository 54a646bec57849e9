"""The formal session: the speakers' list, turns, statements and passes."""

from __future__ import annotations

from game import clocks
from game.commands import Pass, Statement
from game.events import Passed, StatementMade, TurnStarted
from game.moves.context import Ctx
from game.state import SessionState, StatementEntry


def end_turn(state: SessionState, *, passed: bool) -> None:
    """The floor is yielded: a pass adds to the run of passes, any other move breaks it."""
    formal = state.formal
    if formal.current is None:
        return
    formal.current = None
    formal.passes = formal.passes + 1 if passed else 0
    clocks.stop(formal.clock)


def decide_statement(ctx: Ctx, cmd: Statement) -> None:
    team = ctx.on_the_floor()
    ctx.emit(StatementMade, team=team, text=cmd.text)


def decide_pass(ctx: Ctx, cmd: Pass) -> None:
    team = ctx.on_the_floor()
    ctx.emit(Passed, team=team)


def evolve_statement_made(state: SessionState, ev: StatementMade) -> None:
    state.statements.append(
        StatementEntry(seq=ev.seq, at=ev.at, round=state.round, team=ev.team, text=ev.text)
    )
    end_turn(state, passed=False)


def evolve_passed(state: SessionState, ev: Passed) -> None:
    end_turn(state, passed=True)


def evolve_turn_started(state: SessionState, ev: TurnStarted) -> None:
    formal = state.formal
    formal.current = formal.speakers.index(ev.team)
    formal.turn = ev.turn
    clocks.start(state, formal.clock, ev.at, ev.duration_ms)


def speakers_for_round(teams: list[str], round_no: int) -> list[str]:
    """The speakers' list rotates: each round opens with the next team."""
    if not teams:
        return []
    k = (round_no - 1) % len(teams)
    return teams[k:] + teams[:k]


DECIDERS = {"statement": decide_statement, "pass": decide_pass}
EVOLVERS = {
    "statement_made": evolve_statement_made,
    "passed": evolve_passed,
    "turn_started": evolve_turn_started,
}
