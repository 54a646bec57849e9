"""Talk: the floor, each team's channel, and private channels between teams."""

from __future__ import annotations

from game.commands import OpenChannel, Say
from game.errors import Code, Rejected
from game.events import ChannelOpened, MessagePosted
from game.moves.context import Ctx, bump, next_number
from game.state import Channel, Message, SessionState

LOBBY_CHANNELS = ("floor", "team")


def team_channel(team: str) -> str:
    return f"team:{team}"


def open_kinds(state: SessionState) -> tuple[str, ...]:
    """Channel kinds open to players now."""
    if state.status in ("lobby", "concluded"):
        return LOBBY_CHANNELS
    if state.phase is None or not state.phase_open:
        return ()
    return tuple(state.scenario.rounds.phases[state.phase].open_channels())


def resolve_channel(ctx: Ctx, name: str) -> Channel:
    """The channel a command names, if the actor belongs to it."""
    state = ctx.state
    if ctx.actor.role == "seat":
        team = ctx.team()
        if name == "team":
            name = team_channel(team)
        channel = state.channels.get(name)
        if channel is None or (channel.kind != "floor" and team not in channel.teams):
            raise Rejected(Code.UNKNOWN, f"you have no channel '{name}'")
        return channel
    channel = state.channels.get(name)
    if channel is None:
        raise Rejected(Code.UNKNOWN, f"there is no channel '{name}'")
    return channel


def decide_say(ctx: Ctx, cmd: Say) -> None:
    channel = resolve_channel(ctx, cmd.channel)
    if ctx.actor.role == "seat" and channel.kind not in open_kinds(ctx.state):
        raise Rejected(Code.CHANNEL_CLOSED, f"{channel.kind} channels are closed in this phase")
    name = "Facilitator"
    if ctx.actor.role == "seat":
        seat = ctx.state.seats.get(ctx.actor.seat or "")
        team = ctx.state.scenario.team(ctx.team())
        name = (seat.name if seat and seat.name else None) or (team.name if team else "")
    ctx.emit(
        MessagePosted,
        channel=channel.id,
        team=ctx.actor.team if ctx.actor.role == "seat" else None,
        name=name,
        text=cmd.text,
    )


def decide_open_channel(ctx: Ctx, cmd: OpenChannel) -> None:
    team = ctx.team()
    if "private" not in open_kinds(ctx.state):
        raise Rejected(Code.CHANNEL_CLOSED, "private channels are closed in this phase")
    others = sorted(set(cmd.teams) - {team})
    unknown = [t for t in others if t not in ctx.state.teams]
    if unknown or not others:
        what = f"unknown team(s): {', '.join(unknown)}" if unknown else "name another team"
        raise Rejected(Code.UNKNOWN, what)
    members = [t.id for t in ctx.state.scenario.teams if t.id in {team, *others}]
    for channel in ctx.state.channels.values():
        if channel.kind == "private" and channel.teams == members and team in channel.teams:
            raise Rejected(Code.DUPLICATE, f"channel {channel.id} already joins these teams")
    number = next_number(ctx.state, f"c:{team}")
    ctx.emit(ChannelOpened, channel=f"{team}-c{number}", teams=members, title=cmd.title)


def evolve_channel_opened(state: SessionState, ev: ChannelOpened) -> None:
    opener = ev.channel.rsplit("-c", 1)[0]
    bump(state, f"c:{opener}")
    state.channels[ev.channel] = Channel(
        id=ev.channel, kind="private", teams=list(ev.teams), title=ev.title
    )


def evolve_message_posted(state: SessionState, ev: MessagePosted) -> None:
    state.channels[ev.channel].messages.append(
        Message(
            seq=ev.seq,
            at=ev.at,
            channel=ev.channel,
            team=ev.team,
            name=ev.name,
            bot=bool(ev.actor and ev.actor.bot),
            text=ev.text,
        )
    )


DECIDERS = {"say": decide_say, "open_channel": decide_open_channel}
EVOLVERS = {"channel_opened": evolve_channel_opened, "message_posted": evolve_message_posted}
