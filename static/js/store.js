// The page's copy of the session: the latest snapshot's view, with the plain events applied
// locally (talk, drafts, texts tabled, turns, ballots cast). Anything whose consequences need
// the engine's rules (a phase starting or ending, a ballot closing, a round resolved, an
// inject's effects, an amendment merged) makes the store ask the server for a fresh snapshot
// (`sync` with `snapshot: true`) instead of re-deriving it here.

export class Store extends EventTarget {
  constructor() {
    super();
    this.view = null;
    this.seq = null;
    this.offset = 0; // server clock minus ours, in ms
    this.link = null;
    this.asked = false;
    this.welcome = null;
    this.presence = null;
  }

  attach(link) {
    this.link = link;
  }

  now() {
    return Date.now() + this.offset;
  }

  get state() {
    return this.view ? this.view.state : null;
  }

  _changed(reason, events = []) {
    this.dispatchEvent(new CustomEvent("change", { detail: { reason, events } }));
  }

  /** Feed every server message here. */
  receive(m) {
    switch (m.type) {
      case "welcome":
        this.welcome = m;
        this.offset = m.server_time - Date.now();
        break;
      case "pong":
        this.offset = m.server_time - Date.now();
        break;
      case "snapshot":
        this.view = m.view;
        this.seq = m.seq;
        this.asked = false;
        this._changed("snapshot");
        break;
      case "events":
        this._events(m);
        break;
      case "presence":
        this.presence = m;
        this._changed("presence");
        break;
      default:
        break;
    }
  }

  _events(m) {
    if (this.view === null || m.last <= this.seq) return;
    if (m.first > this.seq + 1) {
      // A gap: ask for what was missed (the server answers with events or a snapshot).
      this.link && this.link.send({ type: "sync", since: this.seq });
      return;
    }
    let fresh = false;
    const applied = [];
    for (const event of m.events) {
      if (event.seq <= this.seq) continue;
      if (!applyEvent(this.view, event)) fresh = true;
      applied.push(event);
    }
    this.seq = m.last;
    this.view.seq = m.last;
    this.view.state.seq = m.last;
    this._changed("events", applied);
    if (fresh) this.refresh();
  }

  /** Ask for a fresh snapshot (one request at a time). */
  refresh() {
    if (this.asked || !this.link) return;
    if (this.link.send({ type: "sync", since: this.seq || 0, snapshot: true })) {
      this.asked = true;
      setTimeout(() => (this.asked = false), 5000);
    }
  }
}

function endTurn(view, passed) {
  const formal = view.state.formal;
  if (formal.current === null || formal.current === undefined) return;
  formal.current = null;
  formal.passes = passed ? formal.passes + 1 : 0;
  formal.clock = { deadline: null, remaining: null };
  if (view.phase) view.phase.holder = null;
}

/** Apply one plain event to the view; false when it needs the server's fresh snapshot. */
export function applyEvent(view, e) {
  const s = view.state;
  switch (e.type) {
    case "message_posted": {
      const channel = s.channels[e.channel];
      if (!channel) return false;
      channel.messages.push({
        seq: e.seq,
        at: e.at,
        channel: e.channel,
        team: e.team ?? null,
        name: e.name,
        bot: Boolean(e.actor && e.actor.bot),
        text: e.text,
      });
      return true;
    }
    case "channel_opened":
      s.channels[e.channel] = {
        id: e.channel,
        kind: "private",
        teams: [...e.teams],
        title: e.title || "",
        messages: [],
      };
      return true;
    case "announced":
      s.feed.push({ seq: e.seq, at: e.at, kind: "announcement", inject: null, title: "", text: e.text, audience: "all" });
      return true;
    case "statement_made":
      s.statements.push({ seq: e.seq, at: e.at, round: s.round, team: e.team, text: e.text });
      endTurn(view, false);
      return true;
    case "draft_saved":
      s.drafts[e.draft] = { id: e.draft, team: e.team, item: e.item, title: e.title, clauses: { ...e.clauses } };
      return true;
    case "draft_discarded":
      delete s.drafts[e.draft];
      return true;
    case "proposal_tabled":
      s.proposals[e.proposal] = {
        id: e.proposal,
        item: e.item,
        sponsor: e.sponsor,
        title: e.title,
        clauses: { ...e.clauses },
        cosponsors: [],
        status: "tabled",
        round: s.round,
        seq: e.seq,
        adopted_round: null,
        versions: [[e.seq, { ...e.clauses }]],
      };
      endTurn(view, false);
      return true;
    case "amendment_tabled":
      s.amendments[e.amendment] = {
        id: e.amendment,
        proposal: e.proposal,
        team: e.team,
        clauses: { ...e.clauses },
        note: e.note || "",
        status: "pending",
        seq: e.seq,
      };
      endTurn(view, false);
      return true;
    case "cosponsored": {
      const p = s.proposals[e.proposal];
      if (!p) return false;
      p.cosponsors.push(e.team);
      endTurn(view, false);
      return true;
    }
    case "withdrawn": {
      const target = s.proposals[e.target] || s.amendments[e.target];
      if (!target) return false;
      target.status = "withdrawn";
      endTurn(view, false);
      return true;
    }
    case "lapsed": {
      const target = s.proposals[e.target] || s.amendments[e.target];
      if (!target) return false;
      target.status = "lapsed";
      return true;
    }
    case "passed":
      endTurn(view, true);
      return true;
    case "turn_started": {
      const formal = s.formal;
      const index = formal.speakers.indexOf(e.team);
      if (index < 0) return false;
      formal.current = index;
      formal.turn = e.turn;
      formal.clock = { deadline: null, remaining: null };
      if (e.duration_ms !== null && e.duration_ms !== undefined) {
        if (s.status === "paused") formal.clock.remaining = e.duration_ms;
        else formal.clock.deadline = e.at + e.duration_ms;
      }
      if (view.phase) view.phase.holder = e.team;
      return true;
    }
    case "ballot_cast": {
      const ballot = s.ballots[e.ballot];
      if (!ballot) return false;
      if (!ballot.voted.includes(e.team)) ballot.voted.push(e.team);
      if (e.choice) ballot.votes[e.team] = e.choice;
      return true;
    }
    case "silence_broken": {
      const ballot = s.ballots[e.ballot];
      if (!ballot) return false;
      ballot.broken_by.push(e.team);
      return true;
    }
    case "seat_assigned": {
      const seat = s.seats[e.seat];
      if (!seat) return false;
      seat.name = e.name;
      seat.bot = e.bot ?? null;
      return true;
    }
    case "seat_freed": {
      const seat = s.seats[e.seat];
      if (!seat) return false;
      seat.name = null;
      seat.bot = null;
      return true;
    }
    default:
      // Phases, ballots opening and closing, rounds resolved, injects, pause and resume,
      // deadlines moved, amendments merged, deliveries, the end: the engine's business.
      return false;
  }
}
