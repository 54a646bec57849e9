"""The session's flow: phases and rounds, the clock's expiries, and the follow-up rules that
say what must happen next once an event has folded.

Follow-ups are pure functions of the state. Each returns at most one event at a time, so the
next rule always sees the state that event made.
"""

from __future__ import annotations

from collections.abc import Callable

from game import clocks
from game.commands import SYSTEM, Tick
from game.conditions import holds
from game.events import (
    BallotClosed,
    BallotOpened,
    Ev,
    InjectFired,
    Lapsed,
    Passed,
    PhaseEnded,
    PhaseStarted,
    RoundResolved,
    SessionConcluded,
    SessionCreated,
    TurnStarted,
)
from game.moves.ballots import closing, item_voters, still_pending, voting_queue
from game.moves.context import Ctx, phase_actors
from game.moves.facilitation import end_phase
from game.moves.floor import speakers_for_round
from game.moves.talk import team_channel
from game.moves.texts import next_lapse
from game.scenario.flow import Phase
from game.scenario.injects import Inject
from game.scoring import rescore
from game.state import (
    Channel,
    Formal,
    OperationState,
    RegionState,
    Seat,
    SessionState,
    TeamState,
)
from game.world import resolve_round

# --- the clock ------------------------------------------------------------------------------


def decide_tick(ctx: Ctx, cmd: Tick) -> None:
    """Apply the earliest deadline that has fallen by `at` (the engine loops for the rest)."""
    state = ctx.state
    if state.status != "running":
        return
    formal, ballot = state.formal, state.ballots.get(state.open_ballot or "")
    due = ctx.at
    if formal.current is not None and _fallen(formal.clock.deadline, due):
        ctx.emit(Passed, team=formal.speakers[formal.current], timeout=True)
    elif ballot is not None and _fallen(ballot.clock.deadline, due):
        ctx.emit(BallotClosed, **closing(state, ballot))
    elif state.phase_open and _fallen(state.phase_clock.deadline, due):
        end_phase(ctx, "deadline")


def _fallen(deadline: int | None, at: int) -> bool:
    return deadline is not None and deadline <= at


# --- follow-ups -----------------------------------------------------------------------------


INERT = frozenset({"message_posted", "channel_opened", "draft_saved", "draft_discarded"})
"""Events that change nothing a follow-up rule reads: they touch only channels and their
messages, drafts, and their own counters (`c:`, `d:`), besides `seq` and `at`; the rules read
the status, the phase and its clock, the round, the formal session, ballots and the ballot
queue, proposals, amendments, the agenda and what was adopted, injects, the world (regions,
resources, pledges) and the `b` counter. So folding them onto a settled state leaves it
settled, and `engine.apply` does not ask the rules again after a command that made only
these (talk, drafts). tests/game/test_inert_events.py holds both halves: what these events
change, and that no follow-up ever comes of them in random play of every scenario."""


def follow_up(state: SessionState, at: int) -> Ev | None:
    """The next event the rules require now, or None when the state is settled."""
    if state.status not in ("running", "paused"):
        return None
    ctx = Ctx(state=state, actor=SYSTEM, at=at)
    if not state.phase_open:
        _next_phase(ctx)
    else:
        phase = state.scenario.rounds.phases[state.phase or 0]
        for rule in _RULES.get(phase.kind, _ALWAYS):
            rule(ctx, phase)
            if ctx.made:
                break
    return ctx.made[0] if ctx.made else None


def _next_phase(ctx: Ctx) -> None:
    state = ctx.state
    scenario = state.scenario
    current = -1 if state.phase is None else state.phase
    following = [i for i in scenario.phases_of_round(state.round) if i > current]
    round_no = state.round
    if round_no == 0:
        following = []
    while not following:
        round_no += 1
        if round_no > scenario.rounds.count:
            ctx.emit(SessionConcluded, reason="completed")
            return
        following = scenario.phases_of_round(round_no)
    phase = scenario.rounds.phases[following[0]]
    speakers: list[str] = []
    if phase.kind == "formal":
        speakers = speakers_for_round(_actors_of(state, phase), round_no)
    ctx.emit(
        PhaseStarted,
        round=round_no,
        phase=phase.id,
        kind=phase.kind,
        duration_ms=phase.duration_s * 1000 if phase.duration_s else None,
        speakers=speakers,
    )


def _actors_of(state: SessionState, phase: Phase) -> list[str]:
    teams = [t.id for t in state.scenario.teams]
    if phase.actors is None or phase.actors == "all":
        return teams
    if phase.actors == "none":
        return []
    return [t for t in teams if t in phase.actors]


def _scheduled_inject(ctx: Ctx, phase: Phase) -> None:
    state = ctx.state
    first: list[int] | None = None  # the round's first phase, found only when needed
    for inject in state.scenario.injects:
        when = inject.at
        if when is None or when.round != state.round or inject.id in state.injects_fired:
            continue
        if when.phase is None and first is None:
            first = state.scenario.phases_of_round(state.round)[:1]
        if when.phase == phase.id or (when.phase is None and first == [state.phase]):
            _fire(ctx, inject)
            return


def _fire(ctx: Ctx, inject: Inject) -> None:
    ctx.emit(
        InjectFired,
        inject=inject.id,
        title=inject.title,
        text=inject.text,
        audience=inject.audience,
        effects=inject.effects,
    )


def _lapse(ctx: Ctx, phase: Phase) -> None:
    found = next_lapse(ctx.state)
    if found:
        ctx.emit(Lapsed, target=found[0], reason=found[1])


def _formal_turns(ctx: Ctx, phase: Phase) -> None:
    state = ctx.state
    formal = state.formal
    if formal.current is not None:
        return
    cap = phase.turn_cap or state.scenario.rounds.turn_cap
    if formal.passes >= len(formal.speakers):
        end_phase(ctx, "passes")
    elif formal.turn >= cap:
        end_phase(ctx, "turn_cap")
    else:
        seconds = phase.turn_seconds or state.scenario.rounds.turn_seconds
        ctx.emit(
            TurnStarted,
            team=formal.speakers[formal.turn % len(formal.speakers)],
            turn=formal.turn + 1,
            duration_ms=seconds * 1000,
        )


def _ballots(ctx: Ctx, phase: Phase) -> None:
    state = ctx.state
    if state.open_ballot is not None:
        ballot = state.ballots[state.open_ballot]
        team_voters = [v for v in ballot.voters if v in state.teams]
        broken = ballot.silence and ballot.broken_by
        all_cast = not ballot.silence and all(v in ballot.voted for v in team_voters)
        if broken or all_cast:
            ctx.emit(BallotClosed, **closing(state, ballot))
        return
    subject = next((s for s in state.ballot_queue if still_pending(state, s)), None)
    if subject is None:
        end_phase(ctx, "ballots_done")
        return
    proposal = state.proposals.get(subject) or state.proposals[state.amendments[subject].proposal]
    item = state.scenario.item(proposal.item)
    assert item is not None
    seconds = phase.ballot_seconds or state.scenario.rounds.ballot_seconds
    ctx.emit(
        BallotOpened,
        ballot=f"b{state.counters.get('b', 0) + 1}",
        item=item.id,
        subject=subject,
        voters=item_voters(state, item),
        silence=item.rule.kind == "silence_procedure",
        duration_ms=seconds * 1000,
    )


def _resolution(ctx: Ctx, phase: Phase) -> None:
    state = ctx.state
    if state.resolved_round < state.round:
        ctx.emit(RoundResolved, round=state.round)
        return
    for inject in state.scenario.injects:
        pending = inject.condition is not None and inject.id not in state.injects_fired
        if pending and holds(inject.condition, state):
            _fire(ctx, inject)
            return


_BY_KIND: dict[str, tuple[Callable[[Ctx, Phase], None], ...]] = {
    "formal": (_formal_turns,),
    "voting": (_ballots,),
    "resolution": (_resolution,),
}
_ALWAYS: tuple[Callable[[Ctx, Phase], None], ...] = (_scheduled_inject, _lapse)
_RULES = {kind: (*_ALWAYS, *rules) for kind, rules in _BY_KIND.items()}
"""The rules of an open phase, in order, by its kind (`_ALWAYS` for the other kinds)."""


# --- evolvers -------------------------------------------------------------------------------


def evolve_session_created(state: SessionState, ev: SessionCreated) -> None:
    """Unused: `game.engine.initial_state` builds the state from this event."""


def initial_state(ev: SessionCreated) -> SessionState:
    scenario = ev.scenario
    state = SessionState(
        session=ev.session,
        title=ev.title,
        scenario=scenario,
        seed=ev.seed,
        forked_from=ev.forked_from,
        seq=ev.seq,
        at=ev.at,
        agenda=[i.id for i in scenario.agenda if not i.hidden],
    )
    for team in scenario.teams:
        state.teams[team.id] = TeamState(
            id=team.id,
            resources=dict(team.resources),
            institutionalisation=team.institutionalisation,
        )
        for n in range(1, team.seats + 1):
            state.seats[f"{team.id}.{n}"] = Seat(id=f"{team.id}.{n}", team=team.id)
        channel = team_channel(team.id)
        state.channels[channel] = Channel(id=channel, kind="team", teams=[team.id])
    state.channels["floor"] = Channel(
        id="floor", kind="floor", teams=[t.id for t in scenario.teams]
    )
    for region in scenario.regions:
        state.regions[region.id] = RegionState(
            id=region.id, security=region.security, threat=region.threat
        )
    for op in scenario.operations:
        state.operations[op.id] = OperationState(
            id=op.id,
            region=op.region,
            lead=op.lead,
            lead_kind=op.lead_kind,
            deployed=dict(op.deployed),
        )
    rescore(state)
    return state


def evolve_phase_started(state: SessionState, ev: PhaseStarted) -> None:
    state.round = ev.round
    state.phase = next(i for i, p in enumerate(state.scenario.rounds.phases) if p.id == ev.phase)
    state.phase_open = True
    clocks.start(state, state.phase_clock, ev.at, ev.duration_ms)
    state.formal = Formal(speakers=list(ev.speakers))
    if ev.kind == "voting":
        state.ballot_queue = voting_queue(state)


def evolve_phase_ended(state: SessionState, ev: PhaseEnded) -> None:
    state.phase_open = False
    clocks.stop(state.phase_clock)
    state.formal = Formal()
    state.ballot_queue = []


def evolve_round_resolved(state: SessionState, ev: RoundResolved) -> None:
    resolve_round(state)
    state.resolved_round = ev.round
    rescore(state)


def evolve_session_concluded(state: SessionState, ev: SessionConcluded) -> None:
    state.status = "concluded"
    state.phase_open = False
    clocks.stop(state.phase_clock)
    state.formal = Formal()
    state.ballot_queue = []
    if state.open_ballot is not None:
        clocks.stop(state.ballots[state.open_ballot].clock)
        state.open_ballot = None
    rescore(state)


DECIDERS = {"tick": decide_tick}
EVOLVERS = {
    "phase_started": evolve_phase_started,
    "phase_ended": evolve_phase_ended,
    "round_resolved": evolve_round_resolved,
    "session_concluded": evolve_session_concluded,
}

__all__ = ["DECIDERS", "EVOLVERS", "follow_up", "initial_state", "phase_actors"]
