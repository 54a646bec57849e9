// Words for what the state holds: team and item names, clause values, decision rules, clocks.

export function teamName(state, id) {
  if (!id) return "";
  const team = state.scenario.teams.find((t) => t.id === id);
  if (team) return team.name;
  const npv = (state.scenario.council || []).find((n) => n.id === id);
  return npv ? npv.name : id;
}

export function teamNames(state, ids) {
  return ids.map((id) => teamName(state, id)).join(", ");
}

export function item(state, id) {
  return state.scenario.agenda.find((i) => i.id === id);
}

export function issue(state, itemId, issueId) {
  const it = item(state, itemId);
  return it ? it.issues.find((i) => i.id === issueId) : undefined;
}

export function number(n) {
  if (typeof n !== "number") return String(n);
  return n.toLocaleString("en-GB", { maximumFractionDigits: 2 });
}

/** A clause's value as a person reads it. */
export function clause(state, iss, value) {
  if (value === undefined || value === null) return "—";
  if (!iss) return typeof value === "object" ? JSON.stringify(value) : String(value);
  switch (iss.kind) {
    case "choice": {
      const option = iss.options.find((o) => o.id === value);
      return option ? option.label : String(value);
    }
    case "number":
      return `${number(value)}${iss.unit ? ` ${iss.unit}` : ""}`;
    case "members":
      return Array.isArray(value) && value.length ? teamNames(state, value) : "nobody";
    case "contributions": {
      const parts = [];
      for (const [team, pledges] of Object.entries(value || {})) {
        const what = Object.entries(pledges)
          .filter(([, amount]) => amount > 0)
          .map(([resource, amount]) => `${number(amount)} ${resource}`);
        if (what.length) parts.push(`${teamName(state, team)}: ${what.join(", ")}`);
      }
      return parts.length ? parts.join("; ") : "no contributions";
    }
    default:
      return String(value);
  }
}

export function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

const RULES = {
  consensus: "Consensus: adopted if nobody votes no (abstentions do not block).",
  unanimity: "Unanimity: every voter must vote yes.",
  majority: "Majority: more than half vote yes.",
  qualified_majority: "Qualified majority.",
  weighted: "Weighted vote.",
  security_council: "Security Council: 9 yes votes and no veto by a permanent member.",
  double_majority: "Double majority: 55% of members representing 65% of the population.",
  silence_procedure: "Silence procedure: adopted when the deadline falls unless someone breaks silence.",
};

export function rule(r) {
  if (!r) return "";
  if (r.kind === "qualified_majority") {
    const need = r.k ? `${r.k} yes votes` : `${Math.round(r.fraction * 100)}% yes`;
    return `Qualified majority: ${need} (of ${r.basis === "cast" ? "votes cast" : "members"}).`;
  }
  if (r.kind === "majority") {
    return `Majority: more than half of ${r.basis === "members" ? "all members" : "votes cast"} vote yes.`;
  }
  if (r.kind === "security_council") {
    return `Security Council: ${r.affirmative} yes votes and no veto by a permanent member.`;
  }
  if (r.kind === "weighted") {
    return `Weighted vote: yes weight must reach ${Math.round(r.threshold * 100)}% of the total.`;
  }
  return RULES[r.kind] || r.kind;
}

/** "1:05" from milliseconds (never negative). */
export function duration(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

export function time(at) {
  return new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** Milliseconds left on a clock ({deadline} running, {remaining} paused), or null. */
export function left(clock, now) {
  if (!clock) return null;
  if (clock.deadline !== null && clock.deadline !== undefined) return clock.deadline - now;
  if (clock.remaining !== null && clock.remaining !== undefined) return clock.remaining;
  return null;
}

export const PHASE_HELP = {
  lobby: "Waiting for the facilitator to start the session. Read your brief meanwhile.",
  briefing: "Read the briefs and the news. Nobody acts yet; the facilitator opens consultations.",
  consultations:
    "Talk freely on the floor and in private channels with other teams, and prepare drafts for the formal session.",
  formal:
    "One team at a time: in your turn make one move (table, amend, co-sponsor, withdraw, a statement, or pass). The session ends when every team passes in a row.",
  voting: "Sealed ballots: vote yes, no or abstain on each text as it comes up. Votes are shown once the ballot closes.",
  resolution: "Adopted texts take effect and security in each region moves on a round.",
  paused: "The facilitator has paused the session: clocks are stopped. You may still talk where the phase allows.",
  concluded: "The session is over: the final scores are above.",
};

export function statusWord(state) {
  if (state.status === "lobby") return "Lobby";
  if (state.status === "concluded") return "Debrief";
  if (state.status === "paused") return "Paused";
  return "Running";
}

export function proposalStatus(status) {
  return (
    {
      tabled: "tabled",
      withdrawn: "withdrawn",
      adopted: "adopted",
      rejected: "rejected",
      lapsed: "lapsed",
      pending: "pending",
      accepted: "accepted by the sponsor",
    }[status] || status
  );
}
