// One event as a line of the replay's timeline, in words. The event is already projected for
// the perspective: what it does not carry (a sealed vote, another team's words) is not said.

export function describe(e, names) {
  const t = (id) => (id ? names[id] || id : "");
  const who = e.actor && e.actor.role === "facilitator" ? "The facilitator" : e.actor && e.actor.team ? t(e.actor.team) : "The clock";
  switch (e.type) {
    case "session_created":
      return `Session “${e.title}” created`;
    case "session_started":
      return "The facilitator started the session";
    case "session_paused":
      return "The facilitator paused the session";
    case "session_resumed":
      return "The facilitator resumed the session";
    case "session_concluded":
      return e.reason === "ended" ? "The facilitator ended the session: the debrief opens" : "The last round ended: the debrief opens";
    case "seat_assigned":
      return `${e.name || "Someone"} took seat ${e.seat}${e.bot ? ` (bot: ${e.bot})` : ""}`;
    case "seat_freed":
      return `Seat ${e.seat} freed`;
    case "phase_started":
      return `Round ${e.round}: ${e.phase} begins`;
    case "phase_ended":
      return `Round ${e.round}: ${e.phase} ends (${e.reason})`;
    case "deadline_moved":
      return `${who} moved the deadline by ${e.seconds} s`;
    case "turn_started":
      return `${t(e.team)} has the floor`;
    case "passed":
      return `${t(e.team)} ${e.timeout ? "let its turn run out" : "passed"}`;
    case "channel_opened":
      return `${who} opened a private channel with ${e.teams.map(t).join(", ")}`;
    case "message_posted": {
      const channel = e.channel === "floor" ? "on the floor" : e.channel.startsWith("team:") ? `in ${t(e.channel.slice(5))}'s team channel` : `in ${e.channel}`;
      const author = e.team ? `${e.name || t(e.team)} (${t(e.team)})` : "The facilitator";
      return `${author} ${channel}: ${e.text}`;
    }
    case "statement_made":
      return `${t(e.team)} made a statement: ${e.text}`;
    case "announced":
      return `Announcement: ${e.text}`;
    case "draft_saved":
      return `${t(e.team)} saved draft ${e.draft}${e.title ? ` “${e.title}”` : ""}`;
    case "draft_discarded":
      return `${t(e.team)} discarded draft ${e.draft}`;
    case "proposal_tabled":
      return `${t(e.sponsor)} tabled ${e.proposal} “${e.title}” on ${e.item}`;
    case "amendment_tabled":
      return `${t(e.team)} tabled amendment ${e.amendment} to ${e.proposal}`;
    case "amendment_accepted":
      return `Amendment ${e.amendment} merged into ${e.proposal}`;
    case "cosponsored":
      return `${t(e.team)} co-sponsored ${e.proposal}`;
    case "withdrawn":
      return `${t(e.team)} withdrew ${e.target}`;
    case "lapsed":
      return `${e.target} lapsed (${e.reason})`;
    case "ballot_opened":
      return `Ballot ${e.ballot} opens on ${e.subject}${e.silence ? " (silence procedure)" : ""}`;
    case "ballot_cast":
      return `${t(e.team)} voted${e.choice ? ` ${e.choice}` : " (sealed)"}`;
    case "silence_broken":
      return `${t(e.team)} broke silence on ${e.ballot}`;
    case "ballot_closed":
      return `Ballot ${e.ballot} closed: ${e.adopted ? "adopted" : "not adopted"}${Object.keys(e.votes || {}).length ? ` (${Object.entries(e.votes).map(([v, c]) => `${t(v)} ${c}`).join(", ")})` : ""}`;
    case "delivered":
      return `${t(e.team)} delivered ${e.amount} ${e.resource} for ${e.item}`;
    case "round_resolved":
      return `Round ${e.round} resolved: texts take effect, security moves on`;
    case "inject_fired":
      return e.text ? `News: ${e.title ? `${e.title}. ` : ""}${e.text}` : "An inject to other delegations (its words are not for this perspective)";
    default:
      return e.type;
  }
}

/** The kind of line, for styling and for finding moves, talk and the clock apart. */
export function kindOf(e) {
  if (["message_posted", "statement_made", "announced", "channel_opened"].includes(e.type)) return "talk";
  if (["phase_started", "phase_ended", "turn_started", "round_resolved", "deadline_moved"].includes(e.type)) return "clock";
  if (["ballot_opened", "ballot_cast", "ballot_closed", "silence_broken"].includes(e.type)) return "vote";
  if (e.type.startsWith("session_") || e.type.startsWith("seat_") || e.type === "inject_fired") return "session";
  return "move";
}
