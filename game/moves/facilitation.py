"""The facilitator's commands: run the clock, inject crises, speak to the room, seat people.
Every one of them is an event, so the debrief can show each intervention on the timeline."""

from __future__ import annotations

from game import clocks
from game.commands import (
    Advance,
    Announce,
    AssignSeat,
    CustomInject,
    End,
    Extend,
    FireInject,
    FreeSeat,
    PauseSession,
    Resume,
    Start,
)
from game.errors import Code, Rejected
from game.events import (
    Announced,
    BallotClosed,
    DeadlineMoved,
    InjectFired,
    PhaseEnded,
    SeatAssigned,
    SeatFreed,
    SessionConcluded,
    SessionPaused,
    SessionResumed,
    SessionStarted,
)
from game.moves.ballots import closing
from game.moves.context import Ctx
from game.scenario import effects as fx
from game.scenario.effects import Effect
from game.state import FeedEntry, SessionState
from game.world import clamp


def live(ctx: Ctx) -> None:
    if ctx.state.status not in ("running", "paused"):
        raise Rejected(Code.NOT_RUNNING, f"the session is {ctx.state.status}")


def decide_start(ctx: Ctx, cmd: Start) -> None:
    ctx.facilitator()
    if ctx.state.status != "lobby":
        raise Rejected(Code.NOT_RUNNING, f"the session has already started ({ctx.state.status})")
    ctx.emit(SessionStarted)


def decide_pause(ctx: Ctx, cmd: PauseSession) -> None:
    ctx.facilitator()
    ctx.running()
    ctx.emit(SessionPaused)


def decide_resume(ctx: Ctx, cmd: Resume) -> None:
    ctx.facilitator()
    if ctx.state.status != "paused":
        raise Rejected(Code.NOT_RUNNING, "the session is not paused")
    ctx.emit(SessionResumed)


def decide_advance(ctx: Ctx, cmd: Advance) -> None:
    ctx.facilitator()
    live(ctx)
    phase = ctx.phase()
    if phase is None:
        raise Rejected(Code.WRONG_PHASE, "no phase is open")
    end_phase(ctx, "advanced")


def end_phase(ctx: Ctx, reason: str) -> None:
    """End the open phase; an open ballot is counted as it stands first."""
    state = ctx.state
    if state.open_ballot is not None:
        ctx.emit(BallotClosed, **closing(state, state.ballots[state.open_ballot]))
    phase = state.scenario.rounds.phases[state.phase or 0]
    ctx.emit(PhaseEnded, round=state.round, phase=phase.id, reason=reason)


def decide_extend(ctx: Ctx, cmd: Extend) -> None:
    ctx.facilitator()
    live(ctx)
    if ctx.phase() is None:
        raise Rejected(Code.WRONG_PHASE, "no phase is open")
    if cmd.seconds == 0:
        raise Rejected(Code.BAD_COMMAND, "extend by a number of seconds other than zero")
    ctx.emit(DeadlineMoved, seconds=cmd.seconds)


def decide_fire_inject(ctx: Ctx, cmd: FireInject) -> None:
    ctx.facilitator()
    live(ctx)
    inject = ctx.state.scenario.inject(cmd.inject)
    if inject is None:
        raise Rejected(Code.UNKNOWN, f"the scenario has no inject '{cmd.inject}'")
    if inject.id in ctx.state.injects_fired:
        raise Rejected(Code.DUPLICATE, f"inject {inject.id} has already fired")
    check_effects(ctx.state, inject.effects)
    ctx.emit(
        InjectFired,
        inject=inject.id,
        title=inject.title,
        text=inject.text,
        audience=inject.audience,
        effects=inject.effects,
    )


def decide_custom_inject(ctx: Ctx, cmd: CustomInject) -> None:
    ctx.facilitator()
    live(ctx)
    if cmd.audience != "all":
        unknown = [t for t in cmd.audience if t not in ctx.state.teams]
        if unknown or not cmd.audience:
            raise Rejected(Code.UNKNOWN, f"unknown team(s) in the audience: {unknown}")
    check_effects(ctx.state, cmd.effects)
    ctx.emit(
        InjectFired, title=cmd.title, text=cmd.text, audience=cmd.audience, effects=cmd.effects
    )


def check_effects(state: SessionState, effects: list[Effect]) -> None:
    """Effects written on the spot name real teams, regions and items."""
    scenario = state.scenario
    for effect in effects:
        region = getattr(effect, "region", None)
        team = getattr(effect, "team", None)
        item = getattr(effect, "item", None)
        if region is not None and region not in state.regions:
            raise Rejected(Code.UNKNOWN, f"there is no region '{region}'")
        if team is not None and team not in state.teams:
            raise Rejected(Code.UNKNOWN, f"there is no team '{team}'")
        if item is not None and scenario.item(item) is None:
            raise Rejected(Code.UNKNOWN, f"there is no item '{item}'")


def decide_announce(ctx: Ctx, cmd: Announce) -> None:
    ctx.facilitator()
    ctx.emit(Announced, text=cmd.text)


def decide_assign_seat(ctx: Ctx, cmd: AssignSeat) -> None:
    ctx.facilitator()
    if cmd.seat not in ctx.state.seats:
        raise Rejected(Code.UNKNOWN, f"there is no seat '{cmd.seat}'")
    if ctx.state.status == "concluded":
        raise Rejected(Code.NOT_RUNNING, "the session has concluded")
    ctx.emit(SeatAssigned, seat=cmd.seat, name=cmd.name or cmd.seat, bot=cmd.bot)


def decide_free_seat(ctx: Ctx, cmd: FreeSeat) -> None:
    ctx.facilitator()
    seat = ctx.state.seats.get(cmd.seat)
    if seat is None:
        raise Rejected(Code.UNKNOWN, f"there is no seat '{cmd.seat}'")
    if seat.name is None:
        raise Rejected(Code.CLOSED, f"seat {cmd.seat} is already free")
    ctx.emit(SeatFreed, seat=cmd.seat)


def decide_end(ctx: Ctx, cmd: End) -> None:
    ctx.facilitator()
    if ctx.state.status == "concluded":
        raise Rejected(Code.NOT_RUNNING, "the session has already concluded")
    if ctx.state.open_ballot is not None:
        ctx.emit(BallotClosed, **closing(ctx.state, ctx.state.ballots[ctx.state.open_ballot]))
    ctx.emit(SessionConcluded, reason="ended")


# --- evolvers -------------------------------------------------------------------------------


def evolve_session_started(state: SessionState, ev: SessionStarted) -> None:
    state.status = "running"


def evolve_session_paused(state: SessionState, ev: SessionPaused) -> None:
    clocks.pause(state, ev.at)
    state.status = "paused"


def evolve_session_resumed(state: SessionState, ev: SessionResumed) -> None:
    state.status = "running"
    clocks.resume(state, ev.at)


def evolve_deadline_moved(state: SessionState, ev: DeadlineMoved) -> None:
    clocks.shift(state, ev.seconds * 1000)


def evolve_seat_assigned(state: SessionState, ev: SeatAssigned) -> None:
    seat = state.seats[ev.seat]
    seat.name = ev.name
    seat.bot = ev.bot


def evolve_seat_freed(state: SessionState, ev: SeatFreed) -> None:
    seat = state.seats[ev.seat]
    seat.name = None
    seat.bot = None


def evolve_announced(state: SessionState, ev: Announced) -> None:
    state.feed.append(FeedEntry(seq=ev.seq, at=ev.at, kind="announcement", text=ev.text))


def evolve_inject_fired(state: SessionState, ev: InjectFired) -> None:
    if ev.inject is not None:
        state.injects_fired.append(ev.inject)
    state.feed.append(
        FeedEntry(
            seq=ev.seq,
            at=ev.at,
            kind="inject",
            inject=ev.inject,
            title=ev.title,
            text=ev.text,
            audience=ev.audience,
        )
    )
    for effect in ev.effects:
        apply_effect(state, effect)


def apply_effect(state: SessionState, effect: Effect) -> None:
    match effect:
        case fx.ChangeThreat(region=r, delta=d):
            state.regions[r].threat = max(0.0, state.regions[r].threat + d)
        case fx.ChangeSecurity(region=r, delta=d):
            state.regions[r].security = clamp(state.regions[r].security + d)
        case fx.ChangeResources(team=t, resource=res, delta=d):
            have = state.teams[t].resources
            have[res] = max(0.0, have.get(res, 0.0) + d)
        case fx.ChangeInstitutionalisation(team=t, delta=d):
            state.teams[t].institutionalisation = clamp(state.teams[t].institutionalisation + d)
        case fx.ExtendPhase(seconds=s):
            clocks.shift(state, s * 1000)
        case fx.OpenItem(item=i) if i not in state.agenda:
            state.agenda.append(i)
        case fx.CloseItem(item=i) if i in state.agenda:
            state.agenda.remove(i)


DECIDERS = {
    "start": decide_start,
    "pause": decide_pause,
    "resume": decide_resume,
    "advance": decide_advance,
    "extend": decide_extend,
    "fire_inject": decide_fire_inject,
    "custom_inject": decide_custom_inject,
    "announce": decide_announce,
    "assign_seat": decide_assign_seat,
    "free_seat": decide_free_seat,
    "end": decide_end,
}
EVOLVERS = {
    "session_started": evolve_session_started,
    "session_paused": evolve_session_paused,
    "session_resumed": evolve_session_resumed,
    "deadline_moved": evolve_deadline_moved,
    "seat_assigned": evolve_seat_assigned,
    "seat_freed": evolve_seat_freed,
    "announced": evolve_announced,
    "inject_fired": evolve_inject_fired,
}
