// Negotiating: whose move it is, the agenda (proposals as tables of clauses, amendments as
// changes against their proposal), the team's drafts, the open ballot and the results, and a
// form for each move. Moves are offered only when the view says the rules allow them; the
// server judges every one and its answer is shown beside the form that sent it.

import { errorBox, field, fill, h, region, showError, uid } from "./dom.js";
import { clauseEditor, clauseTable, diffTable } from "./clauses.js";
import {
  PHASE_HELP,
  clause,
  duration,
  item as itemOf,
  left,
  number,
  proposalStatus,
  rule,
  teamName,
  teamNames,
} from "./format.js";
import * as persist from "./persist.js";

/** What the viewer may do now, as far as the view tells (the server decides). */
export function abilities(view, team) {
  const s = view.state;
  const phase = view.phase && view.phase.open ? view.phase : null;
  const running = s.status === "running";
  const kind = phase ? phase.kind : null;
  const actor = Boolean(phase && phase.actors.includes(team));
  const myTurn = running && kind === "formal" && phase.holder === team;
  const ballot = s.open_ballot ? s.ballots[s.open_ballot] : null;
  return {
    running,
    kind,
    actor,
    myTurn,
    draft: running,
    accept: running && (kind === "consultations" || kind === "formal"),
    vote: Boolean(running && kind === "voting" && ballot && ballot.voters.includes(team) && !ballot.voted.includes(team)),
    ballot,
  };
}

function openItems(s) {
  return s.scenario.agenda.filter((i) => s.agenda.includes(i.id) && !s.adopted[i.id]);
}

function subjectLabel(s, subject) {
  if (s.amendments[subject]) {
    const a = s.amendments[subject];
    const p = s.proposals[a.proposal];
    return `Amendment ${a.id} by ${teamName(s, a.team)} to ${p ? `“${p.title}”` : a.proposal}`;
  }
  const p = s.proposals[subject];
  return p ? `“${p.title}” (${p.id}, by ${teamName(s, p.sponsor)})` : subject;
}

export class Negotiate {
  constructor(ctx) {
    this.ctx = ctx;
    this.el = h("div", { class: "negotiate" });
    this.lobby = h("section", { class: "card lobby-card", "aria-label": "Lobby" });
    this.yourMove = h("div", { class: "your-move", "aria-live": "polite" });
    this.moveButtons = h("div", { class: "move-buttons" });
    this.formHost = h("div", { class: "form-host" });
    this.ballot = h("div", { class: "ballot" });
    this.agenda = h("div", { class: "agenda" });
    this.drafts = h("div", { class: "drafts" });
    this.pledges = h("div", { class: "pledges" });
    this.statements = h("div", { class: "statements" });
    this.results = h("div", { class: "results" });
    this.moveError = errorBox();
    this.finalSlot = h("div");
    fill(
      this.el,
      this.finalSlot,
      this.lobby,
      h("section", { class: "card", "aria-labelledby": "move-h" }, h("h2", { id: "move-h" }, "Your move"), this.yourMove, this.moveButtons, this.moveError, this.formHost),
      this.ballot,
      h("section", { class: "card", "aria-labelledby": "agenda-h" }, h("h2", { id: "agenda-h" }, "Agenda"), this.agenda),
      ctx.readonly && !ctx.showDrafts ? null : h("section", { class: "card", "aria-labelledby": "drafts-h" }, h("h2", { id: "drafts-h" }, ctx.facilitator ? "Drafts (every team)" : "Your team's drafts"), this.drafts),
      this.pledges,
      this.results,
      h("section", { class: "card", "aria-labelledby": "st-h" }, h("h2", { id: "st-h" }, "Statements on the record"), this.statements),
    );
    this.form = null; // {kind, key, el, update}
    this.formHost.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.form) {
        e.preventDefault();
        this.close();
        this.moveButtons.querySelector("button")?.focus();
      }
    });
  }

  render() {
    const { store } = this.ctx;
    const view = store.view;
    this._lobby(view);
    this._yourMove(view);
    this._ballot(view);
    this._agenda(view);
    this._drafts(view);
    this._pledges(view);
    this._results(view);
    this._statements(view);
    if (this.form && this.form.update) this.form.update();
  }

  // --- the lobby ----------------------------------------------------------------------------

  _lobby(view) {
    const s = view.state;
    const show = s.status === "lobby";
    this.lobby.hidden = !show;
    if (!show) return;
    const seats = Object.values(s.seats);
    region(this.lobby, JSON.stringify(seats), () => [
      h("h2", {}, "Lobby"),
      h("p", {}, h("strong", {}, s.scenario.title), s.scenario.summary ? ` — ${s.scenario.summary}` : ""),
      this.ctx.team ? h("p", {}, "You represent ", h("strong", {}, teamName(s, this.ctx.team)), this.ctx.seat ? ` (seat ${this.ctx.seat})` : "", ".") : null,
      h("p", { class: "notice" }, "The facilitator can read every channel, private channels included."),
      h("h3", {}, "Who has joined"),
      h(
        "table",
        { class: "seats" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Delegation"), h("th", { scope: "col" }, "Seat"), h("th", { scope: "col" }, "Player"))),
        h(
          "tbody",
          {},
          seats.map((seat) =>
            h("tr", {}, h("td", {}, teamName(s, seat.team)), h("td", {}, seat.id), h("td", {}, seat.name ? `${seat.name}${seat.bot ? " (bot)" : ""}` : "— waiting —")),
          ),
        ),
      ),
      h("p", { class: "hint" }, "The session starts when the facilitator says so. Meanwhile, read your brief and say hello on the floor."),
    ]);
  }

  // --- your move ----------------------------------------------------------------------------

  _yourMove(view) {
    const s = view.state;
    const team = this.ctx.team;
    const can = abilities(view, team);
    const phase = view.phase;
    const key = JSON.stringify([s.status, phase, s.formal.speakers, s.formal.passes, can.myTurn, s.round]);
    region(this.yourMove, key, () => {
      const parts = [];
      const status = s.status === "running" && phase && phase.open ? phase.kind : s.status === "running" ? "between" : s.status;
      parts.push(h("p", { class: "phase-help" }, PHASE_HELP[status] || "The next phase starts in a moment."));
      if (phase && phase.open && phase.kind === "formal") {
        const speakers = s.formal.speakers;
        parts.push(
          h("h3", {}, "Speakers' list"),
          h(
            "ol",
            { class: "speakers" },
            speakers.map((t) =>
              h(
                "li",
                { class: t === phase.holder ? "speaking" : null, "aria-current": t === phase.holder ? "true" : null },
                teamName(s, t),
                t === team && !this.ctx.facilitator ? " (you)" : "",
                t === phase.holder ? h("span", { class: "tag" }, " — has the floor") : null,
              ),
            ),
          ),
          h("p", { class: "hint" }, `Passes in a row: ${s.formal.passes} of ${speakers.length} end the session.`),
        );
        if (!this.ctx.facilitator && team) {
          if (can.myTurn) {
            parts.push(h("p", { class: "your-turn", role: "status" }, "It is your turn: make one move."));
          } else if (phase.holder) {
            parts.push(h("p", {}, `${teamName(s, phase.holder)} has the floor. Your moves open in your turn.`));
          }
        }
      }
      if (phase && phase.open && phase.kind === "voting" && !s.open_ballot) {
        parts.push(h("p", {}, "No ballot is open right now."));
      }
      return parts;
    });
    // The buttons of the moves that need no text on a proposal.
    const buttonsKey = JSON.stringify([can.myTurn, can.draft, this.ctx.readonly, openItems(s).map((i) => i.id)]);
    region(this.moveButtons, buttonsKey, () => {
      if (this.ctx.readonly || !team) return [];
      const out = [];
      if (can.myTurn && openItems(s).length) {
        out.push(h("button", { type: "button", class: "primary", dataset: { key: "do-table" }, onclick: () => this.open("table") }, "Table a proposal…"));
      }
      if (can.myTurn) {
        out.push(h("button", { type: "button", dataset: { key: "do-statement" }, onclick: () => this.open("statement") }, "Make a statement…"));
        out.push(h("button", { type: "button", dataset: { key: "do-pass" }, onclick: () => this.pass() }, "Pass (yield the floor)"));
      }
      if (can.draft && ["briefing", "consultations", "formal"].includes(can.kind) && openItems(s).length) {
        out.push(h("button", { type: "button", dataset: { key: "do-draft" }, onclick: () => this.open("draft", { draft: null }) }, "New draft…"));
      }
      if (can.myTurn) {
        out.push(h("p", { class: "hint" }, "To amend, co-sponsor or withdraw a text, use the buttons on it in the agenda."));
      }
      return out;
    });
  }

  async pass() {
    showError(this.moveError, "");
    await this.ctx.act({ type: "pass" }, this.moveError);
  }

  // --- the ballot ---------------------------------------------------------------------------

  _ballot(view) {
    const s = view.state;
    const team = this.ctx.team;
    const can = abilities(view, team);
    const ballot = can.ballot;
    const key = JSON.stringify([ballot, can.vote, s.status]);
    region(this.ballot, key, () => {
      if (!ballot) return [];
      const it = itemOf(s, ballot.item);
      const a = s.amendments[ballot.subject];
      const p = a ? s.proposals[a.proposal] : s.proposals[ballot.subject];
      const mine = team ? ballot.votes[team] : undefined;
      const err = errorBox();
      const vote = async (choice) => {
        showError(err, "");
        await this.ctx.act({ type: "vote", ballot: ballot.id, choice }, err);
      };
      const text = a
        ? [diffTable(s, it, p.clauses, a.clauses, { caption: "The amendment changes", nowLabel: "Text now", newLabel: "Amended" })]
        : [clauseTable(s, it, p.clauses, { caption: "The text put to the vote" })];
      const voters = ballot.voters.map((v) => {
        const done = ballot.voted.includes(v) || ballot.broken_by.includes(v);
        const how = ballot.votes[v];
        return h("li", { class: done ? "done" : null }, teamName(s, v), done ? ` — ${how ? how : "has voted"}` : " — not yet");
      });
      const actions = [];
      if (!this.ctx.readonly && team && ballot.voters.includes(team)) {
        if (ballot.silence) {
          if (ballot.broken_by.includes(team)) actions.push(h("p", {}, "You broke silence."));
          else if (can.running)
            actions.push(
              h("p", {}, "Silence procedure: the text is adopted when the clock runs out, unless a team breaks silence."),
              h("button", { type: "button", class: "danger", dataset: { key: "break" }, onclick: async () => { showError(err, ""); await this.ctx.act({ type: "break_silence", ballot: ballot.id }, err); } }, "Break silence (object)"),
            );
        } else if (mine) {
          actions.push(h("p", { class: "voted" }, `You voted ${mine}. The ballot is sealed until everyone has voted or time runs out.`));
        } else if (can.vote) {
          actions.push(
            h(
              "div",
              { class: "vote-buttons", role: "group", "aria-label": "Your vote" },
              h("button", { type: "button", class: "yes", dataset: { key: "vote-yes" }, onclick: () => vote("yes") }, "Vote yes"),
              h("button", { type: "button", class: "no", dataset: { key: "vote-no" }, onclick: () => vote("no") }, "Vote no"),
              h("button", { type: "button", dataset: { key: "vote-abstain" }, onclick: () => vote("abstain") }, "Abstain"),
            ),
          );
        }
      }
      return h(
        "section",
        { class: "card ballot-card", "aria-labelledby": "ballot-h" },
        h("h2", { id: "ballot-h" }, `Vote now: ${subjectLabel(s, ballot.subject)}`),
        h("p", { class: "hint" }, `${it.title}. ${rule(it.rule)}`),
        h("p", { class: "clock-line" }, "Ballot closes in ", h("span", { class: "clock", dataset: { clock: "ballot" } }, "…")),
        text,
        h("h3", {}, "Voters"),
        h("ul", { class: "voters" }, voters),
        actions,
        err,
      );
    });
  }

  _results(view) {
    const s = view.state;
    const closed = Object.values(s.ballots)
      .filter((b) => b.status === "closed")
      .sort((a, b) => b.id.localeCompare(a.id, "en", { numeric: true }));
    region(this.results, JSON.stringify(closed), () => {
      if (!closed.length) return [];
      return h(
        "section",
        { class: "card", "aria-labelledby": "results-h" },
        h("h2", { id: "results-h" }, "Ballot results"),
        closed.map((b, i) => {
          const voters = Object.keys(b.votes).length ? Object.keys(b.votes) : b.voters;
          const body = [
            h("p", { class: b.adopted ? "adopted" : "rejected" }, h("strong", {}, b.reason || (b.adopted ? "Adopted." : "Not adopted."))),
            h(
              "table",
              { class: "tally" },
              h("caption", {}, `Round ${b.round}: yes ${b.counts.yes ?? 0}, no ${b.counts.no ?? 0}, abstain ${b.counts.abstain ?? 0}, absent ${b.counts.absent ?? 0}`),
              h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Voter"), h("th", { scope: "col" }, "Vote"))),
              h(
                "tbody",
                {},
                voters.map((v) => h("tr", {}, h("th", { scope: "row" }, teamName(s, v)), h("td", {}, b.votes[v] || (Object.keys(b.votes).length ? "absent" : "sealed")))),
              ),
            ),
          ];
          return h("details", { open: i === 0, class: "result" }, h("summary", {}, `${b.id}: ${subjectLabel(s, b.subject)} — ${b.adopted ? "adopted" : "not adopted"}`), body);
        }),
      );
    });
  }

  // --- the agenda ---------------------------------------------------------------------------

  _agenda(view) {
    const s = view.state;
    const team = this.ctx.team;
    const can = abilities(view, team);
    const items = s.scenario.agenda.filter((i) => s.agenda.includes(i.id) || Object.values(s.proposals).some((p) => p.item === i.id));
    const key = JSON.stringify([items.map((i) => i.id), s.proposals, s.amendments, s.adopted, can, this.ctx.readonly]);
    region(this.agenda, key, () =>
      items.map((it) => {
        const proposals = Object.values(s.proposals)
          .filter((p) => p.item === it.id)
          .sort((a, b) => a.seq - b.seq);
        const voters = it.voters === "all" ? "every delegation" : it.voters === "council" ? "the Council's members" : teamNames(s, it.voters);
        return h(
          "article",
          { class: "item" },
          h("h3", {}, it.title, s.adopted[it.id] ? h("span", { class: "tag adopted" }, " — agreed") : null),
          it.description ? h("p", {}, it.description) : null,
          h("p", { class: "hint" }, `${rule(it.rule)} Voters: ${voters}.`),
          proposals.length ? proposals.map((p) => this._proposal(view, it, p, can)) : h("p", { class: "empty" }, "No proposal tabled yet."),
        );
      }),
    );
  }

  _proposal(view, it, p, can) {
    const s = view.state;
    const team = this.ctx.team;
    const amendments = Object.values(s.amendments)
      .filter((a) => a.proposal === p.id)
      .sort((a, b) => a.seq - b.seq);
    const err = errorBox();
    const buttons = [];
    if (!this.ctx.readonly && team && p.status === "tabled") {
      if (can.myTurn && p.sponsor !== team && !p.cosponsors.includes(team)) {
        buttons.push(h("button", { type: "button", dataset: { key: `cosp-${p.id}` }, onclick: async () => { showError(err, ""); await this.ctx.act({ type: "cosponsor", proposal: p.id }, err); } }, "Co-sponsor"));
      }
      if (can.myTurn) {
        buttons.push(h("button", { type: "button", dataset: { key: `amend-${p.id}` }, onclick: () => this.open("amend", { proposal: p.id }) }, p.sponsor === team ? "Revise…" : "Amend…"));
      }
      if (can.myTurn && p.sponsor === team) {
        buttons.push(h("button", { type: "button", class: "danger", dataset: { key: `wd-${p.id}` }, onclick: async () => { showError(err, ""); await this.ctx.act({ type: "withdraw", target: p.id }, err); } }, "Withdraw"));
      }
    }
    const sponsors = [teamName(s, p.sponsor), ...p.cosponsors.map((t) => `${teamName(s, t)} (co-sponsor)`)].join(", ");
    return h(
      "div",
      { class: `proposal status-${p.status}` },
      h("h4", {}, `${p.id}: ${p.title}`, h("span", { class: `tag status-${p.status}` }, ` — ${proposalStatus(p.status)}`)),
      h("p", { class: "hint" }, `Sponsored by ${sponsors}; tabled in round ${p.round}.`),
      clauseTable(s, it, p.clauses, { caption: `Clauses of ${p.id}` }),
      amendments.map((a) => this._amendment(view, it, p, a, can)),
      buttons.length ? h("div", { class: "row" }, buttons) : null,
      err,
    );
  }

  _amendment(view, it, p, a, can) {
    const s = view.state;
    const team = this.ctx.team;
    // A pending amendment is shown against the text as it is now; a merged or closed one
    // against the text as it was when the amendment was tabled.
    let base = p.clauses;
    if (a.status !== "pending") {
      const before = p.versions.filter(([seq]) => seq < a.seq);
      base = before.length ? before[before.length - 1][1] : p.clauses;
    }
    const err = errorBox();
    const buttons = [];
    if (!this.ctx.readonly && team && a.status === "pending" && p.status === "tabled") {
      if (p.sponsor === team && can.accept) {
        buttons.push(h("button", { type: "button", dataset: { key: `acc-${a.id}` }, onclick: async () => { showError(err, ""); await this.ctx.act({ type: "accept_amendment", amendment: a.id }, err); } }, "Accept as friendly (merge it)"));
      }
      if (a.team === team && can.myTurn) {
        buttons.push(h("button", { type: "button", class: "danger", dataset: { key: `wd-${a.id}` }, onclick: async () => { showError(err, ""); await this.ctx.act({ type: "withdraw", target: a.id }, err); } }, "Withdraw the amendment"));
      }
    }
    return h(
      "div",
      { class: `amendment status-${a.status}` },
      h("h5", {}, `Amendment ${a.id} by ${teamName(s, a.team)}`, h("span", { class: "tag" }, ` — ${proposalStatus(a.status)}`)),
      a.note ? h("p", { class: "note" }, a.note) : null,
      diffTable(s, it, base, a.clauses, { caption: `What ${a.id} changes in ${p.id}`, nowLabel: a.status === "pending" ? "Text now" : "Before", newLabel: "Amendment" }),
      a.status === "pending" ? h("p", { class: "hint" }, "Pending: the sponsor may accept it, otherwise it is voted on before the proposal.") : null,
      buttons.length ? h("div", { class: "row" }, buttons) : null,
      err,
    );
  }

  // --- drafts -------------------------------------------------------------------------------

  _drafts(view) {
    const s = view.state;
    const team = this.ctx.team;
    const can = abilities(view, team);
    const drafts = Object.values(s.drafts).sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
    region(this.drafts, JSON.stringify([drafts, can.draft, can.myTurn, s.adopted, this.ctx.readonly]), () => {
      if (!drafts.length) {
        return h("p", { class: "empty" }, this.ctx.readonly ? "No drafts." : "No drafts yet. A draft is private to your team until you table it.");
      }
      return drafts.map((d) => {
        const it = itemOf(s, d.item);
        const err = errorBox();
        const buttons = [];
        if (!this.ctx.readonly && team && d.team === team) {
          if (can.draft) buttons.push(h("button", { type: "button", dataset: { key: `edit-${d.id}` }, onclick: () => this.open("draft", { draft: d.id }) }, "Edit…"));
          if (can.myTurn && !s.adopted[d.item]) buttons.push(h("button", { type: "button", class: "primary", dataset: { key: `tbl-${d.id}` }, onclick: () => this.open("table", { draft: d.id }) }, "Table this draft…"));
          buttons.push(h("button", { type: "button", class: "danger", dataset: { key: `disc-${d.id}` }, onclick: async () => { showError(err, ""); await this.ctx.act({ type: "discard_draft", draft: d.id }, err); } }, "Discard"));
        }
        return h(
          "div",
          { class: "draft" },
          h("h3", {}, `${d.title || "Untitled draft"} (${d.id})`, this.ctx.facilitator ? ` — ${teamName(s, d.team)}` : ""),
          it ? clauseTable(s, it, d.clauses, { caption: `${it.title}: draft clauses` }) : null,
          buttons.length ? h("div", { class: "row" }, buttons) : null,
          err,
        );
      });
    });
  }

  // --- pledges ------------------------------------------------------------------------------

  _pledges(view) {
    const s = view.state;
    const team = this.ctx.team;
    const mine = s.pledges.filter((p) => this.ctx.facilitator || p.team === team);
    region(this.pledges, JSON.stringify([mine, s.status, this.ctx.readonly]), () => {
      if (!mine.length) return [];
      return h(
        "section",
        { class: "card", "aria-labelledby": "pledges-h" },
        h("h2", { id: "pledges-h" }, this.ctx.facilitator ? "Pledges" : "Your pledges"),
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["Delegation", "Item", "Resource", "Pledged", "Delivered", "Due round", ""].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            mine.map((p) => {
              const owed = p.amount - p.delivered;
              const can = !this.ctx.readonly && p.team === team && s.status === "running" && owed > 1e-9;
              return h(
                "tr",
                {},
                h("td", {}, teamName(s, p.team)),
                h("td", {}, (itemOf(s, p.item) || {}).title || p.item),
                h("td", {}, p.resource),
                h("td", {}, number(p.amount)),
                h("td", {}, number(p.delivered), p.broken ? " (broken)" : ""),
                h("td", {}, String(p.due_round)),
                h("td", {}, can ? h("button", { type: "button", dataset: { key: `dl-${p.item}-${p.resource}` }, onclick: () => this.open("deliver", { item: p.item, resource: p.resource, owed }) }, "Deliver…") : ""),
              );
            }),
          ),
        ),
      );
    });
  }

  _statements(view) {
    const s = view.state;
    region(this.statements, JSON.stringify(s.statements.length), () =>
      s.statements.length
        ? h(
            "ol",
            { class: "record" },
            s.statements.map((st) => h("li", {}, h("p", { class: "meta" }, `${teamName(s, st.team)}, round ${st.round}`), h("p", { class: "text" }, st.text))),
          )
        : h("p", { class: "empty" }, "No statements yet."),
    );
  }

  // --- forms --------------------------------------------------------------------------------

  close() {
    this.form = null;
    this.formHost.replaceChildren();
  }

  open(kind, params = {}) {
    const build = { draft: this._draftForm, table: this._tableForm, amend: this._amendForm, statement: this._statementForm, deliver: this._deliverForm }[kind];
    this.form = build.call(this, params);
    this.formHost.replaceChildren(this.form.el);
    const first = this.form.el.querySelector("select, input, textarea");
    if (first) first.focus();
    if (this.form.update) this.form.update();
  }

  _frame(title, body, submitLabel, onSubmit, { note } = {}) {
    const err = errorBox();
    const submit = h("button", { type: "submit", class: "primary" }, submitLabel);
    const why = h("p", { class: "hint" });
    const headingId = uid("form");
    const el = h(
      "form",
      { class: "card action-form", "aria-labelledby": headingId, onsubmit: async (e) => { e.preventDefault(); showError(err, ""); submit.disabled = true; try { await onSubmit(err); } finally { submit.disabled = false; frame.update && frame.update(); } } },
      h("h3", { id: headingId }, title),
      note ? h("p", { class: "hint" }, note) : null,
      body,
      h("div", { class: "row" }, submit, h("button", { type: "button", onclick: () => this.close() }, "Close"), why),
      err,
    );
    const frame = { el, submit, why, err };
    return frame;
  }

  _persistKey(kind, id) {
    return `form:${kind}:${id || "new"}`;
  }

  _draftForm({ draft }) {
    const { session } = this.ctx;
    const s = this.ctx.store.state;
    const existing = draft ? s.drafts[draft] : null;
    const key = this._persistKey("draft", draft);
    const kept = persist.load(session, key, null);
    const items = openItems(s);
    const itemId = (kept && kept.item) || (existing && existing.item) || items[0].id;
    const title = h("input", { type: "text", maxLength: 200, value: (kept && kept.title) ?? (existing ? existing.title : "") });
    const select = h("select", {}, items.map((i) => h("option", { value: i.id, selected: i.id === itemId }, i.title)));
    const host = h("div");
    let editor;
    const remember = () => persist.save(session, key, { item: select.value, title: title.value, clauses: editor.read() });
    const makeEditor = (clauses) => {
      editor = clauseEditor(s, itemOf(s, select.value), { value: clauses, blank: true, onChange: remember });
      host.replaceChildren(editor.el);
    };
    makeEditor((kept && kept.clauses) || (existing ? existing.clauses : {}));
    select.addEventListener("change", () => { makeEditor({}); remember(); });
    title.addEventListener("input", remember);
    const frame = this._frame(
      existing ? `Edit draft ${existing.id}` : "New draft",
      [items.length > 1 ? field("Agenda item", select) : null, field("Title", title), host],
      "Save draft",
      async (err) => {
        const command = { type: "save_draft", item: select.value, clauses: editor.read(), title: title.value.trim() };
        if (existing) command.draft = existing.id;
        const reply = await this.ctx.act(command, err);
        if (reply.type === "accepted") {
          persist.clear(session, key);
          this.close();
        }
      },
      { note: "Only your team (and the facilitator) can see drafts. A clause may stay undecided." },
    );
    frame.update = () => {
      const can = abilities(this.ctx.store.view, this.ctx.team);
      frame.submit.disabled = !can.draft;
      frame.why.textContent = can.draft ? "" : "Drafts can be saved while the session runs.";
    };
    return frame;
  }

  _tableForm({ draft }) {
    const { session } = this.ctx;
    const s = this.ctx.store.state;
    const key = this._persistKey("table", "text");
    const kept = draft ? null : persist.load(session, key, null);
    const items = openItems(s);
    const from = draft ? s.drafts[draft] : null;
    const itemId = (from && from.item) || (kept && kept.item) || items[0].id;
    const select = h("select", {}, items.map((i) => h("option", { value: i.id, selected: i.id === itemId }, i.title)));
    const drafts = Object.values(s.drafts).filter((d) => d.team === this.ctx.team && items.some((i) => i.id === d.item));
    const source = h(
      "select",
      {},
      h("option", { value: "" }, "— write the text here —"),
      drafts.map((d) => h("option", { value: d.id, selected: draft === d.id }, `${d.title || "Untitled"} (${d.id})`)),
    );
    const title = h("input", { type: "text", maxLength: 200, value: (from && from.title) || (kept && kept.title) || "" });
    const host = h("div");
    let editor;
    const remember = () => persist.save(session, key, { item: select.value, title: title.value, clauses: editor.read() });
    const makeEditor = (clauses) => {
      editor = clauseEditor(s, itemOf(s, select.value), { value: clauses, onChange: remember });
      host.replaceChildren(editor.el);
    };
    makeEditor((from && from.clauses) || (kept && kept.clauses) || {});
    select.addEventListener("change", () => { makeEditor({}); remember(); });
    source.addEventListener("change", () => {
      const d = s.drafts[source.value] || this.ctx.store.state.drafts[source.value];
      if (d) {
        select.value = d.item;
        title.value = d.title;
        makeEditor(d.clauses);
        remember();
      }
    });
    title.addEventListener("input", remember);
    const frame = this._frame(
      "Table a proposal",
      [drafts.length ? field("Start from a draft", source) : null, items.length > 1 ? field("Agenda item", select) : null, field("Title", title), host],
      "Table it",
      async (err) => {
        const reply = await this.ctx.act({ type: "table", item: select.value, clauses: editor.read(), title: title.value.trim() }, err);
        if (reply.type === "accepted") {
          persist.clear(session, key);
          this.close();
        }
      },
      { note: "A proposal fills every clause. Tabling uses your turn." },
    );
    frame.update = () => this._turnOnly(frame);
    return frame;
  }

  _turnOnly(frame) {
    const can = abilities(this.ctx.store.view, this.ctx.team);
    frame.submit.disabled = !can.myTurn;
    frame.why.textContent = can.myTurn ? "" : "Wait for your turn in the formal session; your text is kept.";
  }

  _amendForm({ proposal }) {
    const { session } = this.ctx;
    const s = this.ctx.store.state;
    const p = s.proposals[proposal];
    const it = itemOf(s, p.item);
    const key = this._persistKey("amend", proposal);
    const kept = persist.load(session, key, null);
    const note = h("input", { type: "text", maxLength: 200, value: (kept && kept.note) || "" });
    let editor;
    const remember = () => persist.save(session, key, { note: note.value, clauses: editor.read() });
    editor = clauseEditor(s, it, { value: (kept && kept.clauses) || p.clauses, base: p.clauses, onChange: remember });
    note.addEventListener("input", remember);
    const mine = p.sponsor === this.ctx.team;
    const frame = this._frame(
      mine ? `Revise ${p.id}: ${p.title}` : `Amend ${p.id}: ${p.title}`,
      [editor.el, field("Why (optional)", note)],
      mine ? "Revise the text" : "Propose the amendment",
      async (err) => {
        const clauses = editor.changes();
        if (!Object.keys(clauses).length) {
          showError(err, "Change at least one clause.");
          return;
        }
        const reply = await this.ctx.act({ type: "amend", proposal, clauses, note: note.value.trim() }, err);
        if (reply.type === "accepted") {
          persist.clear(session, key);
          this.close();
        }
      },
      { note: mine ? "Your own amendment is merged at once. It uses your turn." : "Change the clauses you want to amend; the changed ones are marked. It uses your turn." },
    );
    frame.update = () => {
      const current = this.ctx.store.state.proposals[proposal];
      if (!current || current.status !== "tabled") {
        frame.submit.disabled = true;
        frame.why.textContent = `${proposal} is no longer tabled.`;
        return;
      }
      this._turnOnly(frame);
    };
    return frame;
  }

  _statementForm() {
    const { session } = this.ctx;
    const key = this._persistKey("statement", "text");
    const text = h("textarea", { rows: 4, maxLength: 4000 });
    persist.keepInput(session, text, key);
    const frame = this._frame(
      "Make a statement",
      [field("Statement", text, "It goes on the record, for every delegation to read.")],
      "Make the statement",
      async (err) => {
        if (!text.value.trim()) {
          showError(err, "Write the statement first.");
          return;
        }
        const reply = await this.ctx.act({ type: "statement", text: text.value.trim() }, err);
        if (reply.type === "accepted") {
          text.value = "";
          persist.clear(session, key);
          this.close();
        }
      },
      { note: "A statement uses your turn." },
    );
    frame.update = () => this._turnOnly(frame);
    return frame;
  }

  _deliverForm({ item, resource, owed }) {
    const amount = h("input", { type: "number", min: 0, step: "any", value: owed, inputMode: "numeric" });
    const frame = this._frame(
      `Deliver ${resource}`,
      [field(`Amount of ${resource}`, amount, `You still owe ${number(owed)}.`)],
      "Deliver",
      async (err) => {
        const reply = await this.ctx.act({ type: "deliver", item, resource, amount: Number(amount.value) }, err);
        if (reply.type === "accepted") this.close();
      },
    );
    frame.update = () => {
      const running = this.ctx.store.state.status === "running";
      frame.submit.disabled = !running;
      frame.why.textContent = running ? "" : "Deliveries are made while the session runs.";
    };
    return frame;
  }

  /** Refresh the clocks shown in this panel. */
  tick() {
    const s = this.ctx.store.state;
    const clock = this.ballot.querySelector('[data-clock="ballot"]');
    if (clock && s.open_ballot) {
      const ms = left(s.ballots[s.open_ballot].clock, this.ctx.store.now());
      clock.textContent = ms === null ? "when everyone has voted" : duration(ms);
    }
  }
}

export { clause };
