// The facilitator's console: the clock and the session's controls, the seats (join links, QR
// codes, presence, assign to a person or a bot, free, move), injects with a preview of what
// each team will see, announcements, and a live view of everything, or of what one team sees.

import { $, errorBox, field, fill, h, region, showError, uid } from "./dom.js";
import { api } from "./net.js";
import { connect, connectionBadge, explain } from "./common.js";
import { teamName } from "./format.js";
import { Room } from "./room.js";

const main = $("#main");
// How often the console asks how the server's bots are doing (GET /api/sessions/{s}/bots),
// while any seat is given to a bot.
const BOT_POLL_MS = 3000;
const conn = $("#conn");
const who = $("#who");

function tokenFor(session) {
  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (fromHash) {
    try {
      localStorage.setItem(`c8:fac:${session}`, fromHash);
    } catch {
      /* the page still works this once */
    }
    // Out of the address bar: the console is often on a projector.
    history.replaceState(null, "", location.pathname);
    return fromHash;
  }
  try {
    return localStorage.getItem(`c8:fac:${session}`);
  } catch {
    return null;
  }
}

function links(session) {
  try {
    return JSON.parse(localStorage.getItem(`c8:links:${session}`) || "{}");
  } catch {
    return {};
  }
}

function saveLink(session, seat, code, link) {
  const all = links(session);
  all[seat] = { code, link };
  try {
    localStorage.setItem(`c8:links:${session}`, JSON.stringify(all));
  } catch {
    /* ignore */
  }
}

const EFFECTS = {
  change_threat: { label: "Change a region's threat", target: "region" },
  change_security: { label: "Change a region's security", target: "region" },
  change_resources: { label: "Change a team's resources", target: "team", resource: true },
  change_institutionalisation: { label: "Change a team's institutionalisation", target: "team" },
  extend_phase: { label: "Move the phase's deadline (seconds)", target: null },
};

function effectText(s, e) {
  const region = (id) => (s.scenario.regions.find((r) => r.id === id) || { name: id }).name;
  const sign = (x) => (x > 0 ? `+${x}` : String(x));
  switch (e.kind) {
    case "change_threat":
      return `threat in ${region(e.region)} ${sign(e.delta)}`;
    case "change_security":
      return `security in ${region(e.region)} ${sign(e.delta)}`;
    case "change_resources":
      return `${teamName(s, e.team)}'s ${e.resource} ${sign(e.delta)}`;
    case "change_institutionalisation":
      return `${teamName(s, e.team)}'s institutionalisation ${sign(e.delta)}`;
    case "extend_phase":
      return `phase deadline ${sign(e.seconds)} s`;
    case "open_item":
      return `puts ${e.item} on the agenda`;
    case "close_item":
      return `takes ${e.item} off the agenda`;
    default:
      return e.kind;
  }
}

class Console {
  constructor(session, token) {
    this.session = session;
    this.token = token;
    const { store, link, act } = connect({
      session,
      token,
      prefix: `fac-${Math.random().toString(36).slice(2, 8)}`,
      onState: (state, l) => connectionBadge(conn, l, state),
    });
    this.store = store;
    this.link = link;
    this.act = act;
    this.controls = h("section", { class: "card controls", "aria-labelledby": "ctl-h" });
    this.controlsBody = h("div");
    this.controlError = errorBox();
    this.seats = h("section", { class: "card seats", "aria-labelledby": "seats-h" });
    this.seatsBody = h("div");
    this.seatError = errorBox();
    this.seatForm = h("div", { class: "form-host" });
    this.injects = h("section", { class: "card", "aria-labelledby": "inj-h" });
    this.library = h("div");
    this.live = h("section", { class: "card live", "aria-labelledby": "live-h" });
    this.viewAs = h("select", { id: uid("viewas") });
    this.liveHost = h("div");
    this.asTeam = "";
    this.teamRoom = null;
    this.qrUrls = [];
    this.openInjects = new Set();
    this.bots = null; // seat -> its bot's health, as the server last said
    this.botsError = "";
    this.botSeats = "";
    this._build();
    store.addEventListener("change", (e) => this.render(e.detail.reason));
    setInterval(() => {
      if (this.room) this.room.tick();
      if (this.teamRoom) this.teamRoom.tick();
      this._tickControls();
      connectionBadge(conn, link, link.state);
    }, 500);
    setInterval(() => this._loadBots(), BOT_POLL_MS);
  }

  _build() {
    const extend = h(
      "select",
      { id: uid("ext") },
      [["30", "+30 seconds"], ["60", "+1 minute"], ["120", "+2 minutes"], ["300", "+5 minutes"], ["-30", "−30 seconds"]].map(([v, l]) => h("option", { value: v }, l)),
    );
    this.extend = extend;
    this.controls.append(
      h("h2", { id: "ctl-h" }, "Session"),
      this.controlsBody,
      h(
        "div",
        { class: "row wrap" },
        this._button("start", "Start the session", () => this.do({ type: "start" }), "primary"),
        this._button("pause", "Pause", () => this.do({ type: "pause" })),
        this._button("resume", "Resume", () => this.do({ type: "resume" }), "primary"),
        this._button("advance", "End this phase now", () => this.do({ type: "advance" })),
        h("span", { class: "inline-field" }, h("label", { for: extend.id }, "Extend by"), extend, this._button("extend", "Extend", () => this.do({ type: "extend", seconds: Number(extend.value) }))),
        this._button("end", "End the session…", () => this._confirmEnd(), "danger"),
      ),
      (this.endConfirm = h(
        "div",
        { class: "confirm", hidden: true, role: "group", "aria-label": "Confirm" },
        h("p", {}, "End the session now? Scores become final and the debrief opens."),
        h("button", { type: "button", class: "danger", dataset: { key: "end-yes" }, onclick: () => { this.endConfirm.hidden = true; this.do({ type: "end" }); } }, "Yes, end the session"),
        h("button", { type: "button", onclick: () => (this.endConfirm.hidden = true) }, "Cancel"),
      )),
      this.controlError,
    );
    this.seats.append(
      h("h2", { id: "seats-h" }, "Seats and join links"),
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", dataset: { key: "qr-all" }, onclick: () => this._qrAll() }, "Every free seat's QR code (projector)"),
        h("span", { class: "hint" }, "Players scan their delegation's code with a phone's camera."),
      ),
      this.seatsBody,
      this.seatForm,
      this.seatError,
    );
    // Announcements.
    const announce = h("textarea", { rows: 2, maxLength: 4000, id: uid("ann") });
    const announceErr = errorBox();
    const announceCard = h(
      "section",
      { class: "card", "aria-labelledby": "ann-h" },
      h("h2", { id: "ann-h" }, "Announce"),
      h(
        "form",
        {
          onsubmit: async (e) => {
            e.preventDefault();
            if (!announce.value.trim()) return showError(announceErr, "Write the announcement first.");
            const reply = await this.act({ type: "announce", text: announce.value.trim() }, announceErr);
            if (reply.type === "accepted") announce.value = "";
          },
        },
        field("Announcement to every delegation", announce),
        h("button", { type: "submit", class: "primary" }, "Announce"),
        announceErr,
      ),
    );
    this.injects.append(h("h2", { id: "inj-h" }, "Injects"), this.library, this._customInject());
    this.viewAs.addEventListener("change", () => this._switchView());
    this.live.append(
      h("h2", { id: "live-h" }, "Live view"),
      h("div", { class: "row" }, h("label", { for: this.viewAs.id }, "View as"), this.viewAs),
      this.liveHost,
    );
    main.replaceChildren(
      h("div", { class: "console" }, h("div", { class: "console-side" }, this.controls, announceCard, this.injects), h("div", { class: "console-main" }, this.seats, this.live)),
    );
  }

  _button(key, label, onclick, cls) {
    return h("button", { type: "button", class: cls || null, dataset: { key, control: key }, onclick }, label);
  }

  _confirmEnd() {
    this.endConfirm.hidden = false;
    this.endConfirm.querySelector("button").focus();
  }

  async do(command, box = this.controlError) {
    showError(box, "");
    return this.act(command, box);
  }

  render(reason) {
    const s = this.store.state;
    if (!s) return;
    who.textContent = `Facilitator · ${s.title}`;
    document.title = `Console — ${s.title} — Chapter VIII`;
    this._controls();
    this._seats();
    // A seat given to a bot, freed or handed on: ask at once how its bot is doing.
    const botSeats = JSON.stringify(Object.values(s.seats).map((seat) => [seat.id, seat.bot]));
    if (botSeats !== this.botSeats) {
      this.botSeats = botSeats;
      this._loadBots();
    }
    this._library();
    this._viewOptions();
    if (!this.room) {
      this.room = new Room({ store: this.store, session: this.session, team: null, act: this.act, readonly: false, facilitator: true, showDrafts: true });
      if (!this.asTeam) this.liveHost.replaceChildren(this.room.el);
    }
    if (!this.asTeam) this.room.render();
    else if (reason !== "presence") this._refreshTeamView();
  }

  _controls() {
    const s = this.store.state;
    const view = this.store.view;
    const phase = view.phase;
    const key = JSON.stringify([s.status, phase, s.round]);
    region(this.controlsBody, key, () => [
      h("p", {}, h("strong", {}, s.title), ` — ${s.scenario.title}`),
      h(
        "p",
        { class: "where" },
        `Status: ${s.status}. `,
        phase ? `Round ${s.round} of ${s.scenario.rounds.count}, ${phase.title}${phase.open ? "" : " (ended)"}. ` : "",
        h("span", { class: "clock-line", dataset: { show: "phase" } }, "Phase ends in ", h("strong", { class: "clock", dataset: { clock: "phase" } }), "."),
      ),
      h("p", { class: "row" }, h("a", { href: `/replay/${encodeURIComponent(this.session)}` }, "Replay"), h("a", { href: `/debrief/${encodeURIComponent(this.session)}` }, s.status === "concluded" ? "The debrief" : "The debrief so far")),
    ]);
    const on = {
      start: s.status === "lobby",
      pause: s.status === "running",
      resume: s.status === "paused",
      advance: Boolean(phase && phase.open && s.status !== "concluded"),
      extend: Boolean(phase && phase.open && s.status !== "concluded"),
      end: s.status === "running" || s.status === "paused",
    };
    for (const [k, enabled] of Object.entries(on)) {
      const b = this.controls.querySelector(`[data-control="${k}"]`);
      if (b) b.disabled = !enabled;
    }
    this.extend.disabled = !on.extend;
  }

  _tickControls() {
    const s = this.store.state;
    if (!s) return;
    const item = this.controlsBody.querySelector('[data-show="phase"]');
    if (!item) return;
    const clock = s.phase_clock;
    const now = this.store.now();
    const ms = !s.phase_open ? null : clock.deadline ? clock.deadline - now : clock.remaining;
    item.hidden = ms === null || ms === undefined;
    if (!item.hidden) {
      const total = Math.max(0, Math.ceil(ms / 1000));
      item.querySelector(".clock").textContent = `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}${s.status === "paused" ? " (paused)" : ""}`;
    }
  }

  // --- seats --------------------------------------------------------------------------------

  _seats() {
    const s = this.store.state;
    const presence = this.store.presence ? this.store.presence.seats : {};
    const known = links(this.session);
    const seats = Object.values(s.seats);
    const health = seats.map((seat) => (seat.bot ? this._botHealth(seat) : null));
    const key = JSON.stringify([seats, presence, known, s.status, health]);
    region(this.seatsBody, key, () =>
      h(
        "table",
        { class: "seat-table" },
        h("thead", {}, h("tr", {}, ["Seat", "Delegation", "Held by", "Online", "Join link", "Change"].map((c) => h("th", { scope: "col" }, c)))),
        h(
          "tbody",
          {},
          seats.map((seat, i) => {
            const online = presence[seat.id] || 0;
            const link = known[seat.id];
            const linkId = uid("link");
            return h(
              "tr",
              { dataset: { seat: seat.id } },
              h("th", { scope: "row" }, seat.id),
              h("td", {}, teamName(s, seat.team)),
              h("td", {}, seat.name ? [seat.name, health[i] ? this._botCell(health[i]) : null] : h("em", {}, "free")),
              h("td", {}, h("span", { class: `dot ${online ? "on" : "off"}`, "aria-hidden": "true" }), online ? ` ${online} connected` : " offline"),
              h(
                "td",
                { class: "link-cell" },
                link
                  ? [
                      h("input", { type: "text", readOnly: true, value: link.link, id: linkId, class: "link", "aria-label": `Join link for ${seat.id}` }),
                      h("button", { type: "button", dataset: { key: `copy-${seat.id}` }, onclick: (e) => this._copy(link.link, e.currentTarget) }, "Copy"),
                      h("button", { type: "button", dataset: { key: `qr-${seat.id}` }, onclick: () => this._qr(seat, link) }, "QR code"),
                    ]
                  : h("span", { class: "hint" }, "Not on this device: "),
                h("button", { type: "button", dataset: { key: `new-${seat.id}` }, onclick: () => this._seatCall(seat.id, "link") }, "New link"),
              ),
              h(
                "td",
                {},
                h("button", { type: "button", dataset: { key: `assign-${seat.id}` }, onclick: () => this._assignForm(seat) }, "Assign…"),
                h("button", { type: "button", dataset: { key: `move-${seat.id}` }, disabled: !seat.name, onclick: () => this._moveForm(seat) }, "Move…"),
                h("button", { type: "button", class: "danger", dataset: { key: `free-${seat.id}` }, disabled: !seat.name, onclick: () => this._seatCall(seat.id, "free") }, "Free"),
              ),
            );
          }),
        ),
      ),
    );
  }

  // --- the server's bots ---------------------------------------------------------------------

  async _loadBots() {
    const s = this.store.state;
    if (!s || this.botsLoading) return;
    if (!Object.values(s.seats).some((seat) => seat.bot)) {
      if (this.bots) {
        this.bots = null;
        this._seats();
      }
      return;
    }
    this.botsLoading = true;
    try {
      const list = await api(`/api/sessions/${encodeURIComponent(this.session)}/bots`, { token: this.token });
      this.bots = Object.fromEntries(list.map((b) => [b.seat, b]));
      this.botsError = "";
    } catch (err) {
      this.botsError = explain(err);
    } finally {
      this.botsLoading = false;
    }
    this._seats();
  }

  /** How a bot seat's bot is doing, in words: {state, line, detail}. */
  _botHealth(seat) {
    const b = this.bots && this.bots[seat.id];
    const head = `bot · ${seat.bot} · `;
    if (!b || b.strategy !== seat.bot) {
      const why = this.botsError ? `health unknown (${this.botsError})` : "checking…";
      return { state: "unknown", line: head + why, detail: "" };
    }
    const lines = {
      running: "running",
      connecting: "connecting…",
      starting: "starting…",
      concluded: "done: the session concluded",
      external: "played by your own program (external)",
      elsewhere: b.reason,
      failed: `failed: ${b.reason}${b.retry_in_s !== undefined ? ` (trying again in ${Math.ceil(b.retry_in_s)} s)` : ""}`,
    };
    const line = head + (lines[b.state] || (b.reason ? `${b.state}: ${b.reason}` : b.state));
    const detail = [];
    if (typeof b.seq === "number") detail.push(`seen event ${b.seq}`);
    if (typeof b.acted_seq === "number") detail.push(`last move at event ${b.acted_seq}`);
    if (b.sent) detail.push(`${b.accepted} of ${b.sent} moves accepted`);
    if (b.errors) detail.push(`${b.errors} decision error${b.errors === 1 ? "" : "s"}`);
    if (b.failures && b.state !== "failed") detail.push(`failed ${b.failures}× before: ${b.error}`);
    return { state: b.state, line, detail: detail.join(" · ") };
  }

  _botCell(health) {
    return h(
      "span",
      { class: "bot-health", dataset: { state: health.state } },
      h("span", { class: "bot-state" }, health.line),
      health.detail ? h("span", { class: "bot-detail" }, health.detail) : null,
    );
  }

  async _copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select and copy";
    }
    setTimeout(() => (button.textContent = "Copy"), 2000);
  }

  async _seatCall(seat, what, body) {
    showError(this.seatError, "");
    try {
      const r = await api(`/api/sessions/${encodeURIComponent(this.session)}/seats/${encodeURIComponent(seat)}/${what}`, { method: "POST", token: this.token, body });
      saveLink(this.session, seat, r.code, r.link);
      this._seats();
      return r;
    } catch (err) {
      showError(this.seatError, `${seat}: ${explain(err)}`);
      return null;
    }
  }

  _assignForm(seat) {
    const s = this.store.state;
    const name = h("input", { type: "text", maxLength: 200, required: true, value: seat.name || "" });
    // The names the server takes (GET /api/strategies): it plays each, but for `external`.
    const strategies = h("datalist", { id: uid("bots") });
    api("/api/strategies")
      .then((list) => strategies.replaceChildren(...list.map((b) => h("option", { value: b.name }, `${b.name}: ${b.summary}`))))
      .catch(() => {});
    const bot = h("input", { type: "text", maxLength: 40, value: seat.bot || "", placeholder: "e.g. boulware", list: strategies.id });
    const err = errorBox();
    const form = h(
      "form",
      {
        class: "card action-form",
        onsubmit: async (e) => {
          e.preventDefault();
          showError(err, "");
          const r = await this._seatCall(seat.id, "assign", { name: name.value.trim(), bot: bot.value.trim() || null });
          if (r) this.seatForm.replaceChildren(h("p", { role: "status" }, `${seat.id} now belongs to ${name.value.trim()}: its old links stopped working; the new one is in the table.`));
        },
      },
      h("h3", {}, `Give ${seat.id} (${teamName(s, seat.team)}) to someone`),
      field("Name", name),
      field("Bot strategy (leave empty for a person)", bot, "The server plays the seat with that strategy, through the same protocol as a player; `external`: a program of yours plays it with the seat's join link."),
      strategies,
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Assign the seat"), h("button", { type: "button", onclick: () => this.seatForm.replaceChildren() }, "Cancel")),
      err,
    );
    this.seatForm.replaceChildren(form);
    name.focus();
  }

  _moveForm(current) {
    const s = this.store.state;
    const seat = { ...current }; // as it is now: the state's copy changes once freed
    const targets = Object.values(s.seats).filter((t) => t.id !== seat.id);
    const target = h("select", {}, targets.map((t) => h("option", { value: t.id }, `${t.id} — ${teamName(s, t.team)}${t.name ? ` (held by ${t.name})` : " (free)"}`)));
    const err = errorBox();
    const form = h(
      "form",
      {
        class: "card action-form",
        onsubmit: async (e) => {
          e.preventDefault();
          const to = target.value;
          const moved = await this._seatCall(to, "assign", { name: seat.name, bot: seat.bot || null });
          if (!moved) return;
          await this._seatCall(seat.id, "free");
          this.seatForm.replaceChildren(h("p", { role: "status" }, `${seat.name} now holds ${to}; ${seat.id} is free. Give ${seat.name} the new link for ${to}.`));
        },
      },
      h("h3", {}, `Move ${seat.name} from ${seat.id}`),
      field("To seat", target),
      h("p", { class: "hint" }, "The player gets the new seat's link; the old seat is freed and its links stop working."),
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Move"), h("button", { type: "button", onclick: () => this.seatForm.replaceChildren() }, "Cancel")),
      err,
    );
    this.seatForm.replaceChildren(form);
    target.focus();
  }

  async _qrImage(seat, link) {
    try {
      const r = await fetch(`/api/sessions/${encodeURIComponent(this.session)}/seats/${encodeURIComponent(seat.id)}/qr`, {
        method: "POST",
        headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ code: link.code }),
      });
      if (!r.ok) throw new Error((await r.json()).detail.reason);
      const url = URL.createObjectURL(await r.blob());
      this.qrUrls.push(url);
      return url;
    } catch (err) {
      showError(this.seatError, `QR code for ${seat.id}: ${err.message || "the server could not make it"}`);
      return null;
    }
  }

  _dialog(dialog) {
    dialog.addEventListener("close", () => {
      dialog.remove();
      for (const url of this.qrUrls.splice(0)) URL.revokeObjectURL(url);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
  }

  async _qrAll() {
    const s = this.store.state;
    const known = links(this.session);
    const seats = Object.values(s.seats).filter((seat) => !seat.name && known[seat.id]);
    if (!seats.length) {
      showError(this.seatError, "No free seat has a link on this device: use New link first.");
      return;
    }
    const cards = [];
    for (const seat of seats) {
      const url = await this._qrImage(seat, known[seat.id]);
      if (!url) return;
      cards.push(
        h(
          "figure",
          {},
          h("img", { src: url, alt: `QR code of the join link for ${teamName(s, seat.team)}, seat ${seat.id}` }),
          h("figcaption", {}, h("strong", {}, teamName(s, seat.team)), ` — seat ${seat.id}`),
        ),
      );
    }
    this._dialog(
      h(
        "dialog",
        { class: "qr qr-all", "aria-labelledby": "qr-all-h" },
        h("h2", { id: "qr-all-h" }, `Join ${s.title}: scan your delegation's code`),
        h("div", { class: "qr-grid" }, cards),
        h("form", { method: "dialog" }, h("button", { type: "submit", class: "primary" }, "Close")),
      ),
    );
  }

  async _qr(seat, link) {
    const s = this.store.state;
    const url = await this._qrImage(seat, link);
    if (!url) return;
    const dialog = h(
      "dialog",
      { class: "qr", "aria-labelledby": "qr-h" },
      h("h2", { id: "qr-h" }, `${teamName(s, seat.team)} — seat ${seat.id}`),
      h("img", { src: url, alt: `QR code of the join link for ${teamName(s, seat.team)}, seat ${seat.id}`, width: 360, height: 360 }),
      h("p", { class: "hint" }, "Scan with a phone's camera to join. Anyone who scans it gets this seat."),
      h("form", { method: "dialog" }, h("button", { type: "submit", class: "primary" }, "Close")),
    );
    this._dialog(dialog);
  }

  // --- injects ------------------------------------------------------------------------------

  _library() {
    const s = this.store.state;
    const injects = s.scenario.injects || [];
    const key = JSON.stringify([injects.map((i) => i.id), s.injects_fired, s.status]);
    region(this.library, key, () => {
      if (!injects.length) return h("p", { class: "empty" }, "The scenario has no injects in its library.");
      return injects.map((inj) => {
        const fired = s.injects_fired.includes(inj.id);
        const err = errorBox();
        const when = inj.at ? `Scheduled: round ${inj.at.round}${inj.at.phase ? `, ${inj.at.phase}` : ""}.` : inj.condition ? `Fires by itself when its condition holds (${inj.condition.kind.replaceAll("_", " ")}).` : "Fired by hand only.";
        const preview = s.scenario.teams.map((t) => {
          const sees = inj.audience === "all" || inj.audience.includes(t.id);
          return h("li", {}, h("strong", {}, t.name), sees ? `: “${inj.title}” — ${inj.text}` : ": nothing (not in the audience; only the inject's effects on the world show).");
        });
        return h(
          "details",
          {
            class: "inject",
            open: this.openInjects.has(inj.id),
            ontoggle: (e) => (e.currentTarget.open ? this.openInjects.add(inj.id) : this.openInjects.delete(inj.id)),
          },
          h("summary", {}, inj.title, fired ? h("span", { class: "tag" }, " — fired") : null),
          h("p", { class: "hint" }, when),
          inj.effects.length ? h("p", {}, `Effects: ${inj.effects.map((e) => effectText(s, e)).join("; ")}.`) : h("p", { class: "hint" }, "No effects beyond the text."),
          h("h3", {}, "What each team will see"),
          h("ul", { class: "preview" }, preview),
          h("button", { type: "button", class: "primary", disabled: fired || s.status === "concluded", dataset: { key: `fire-${inj.id}` }, onclick: async () => { showError(err, ""); await this.act({ type: "fire_inject", inject: inj.id }, err); } }, fired ? "Already fired" : "Fire this inject"),
          err,
        );
      });
    });
  }

  _customInject() {
    const s = () => this.store.state;
    const title = h("input", { type: "text", maxLength: 200 });
    const text = h("textarea", { rows: 3, maxLength: 4000 });
    const audience = h("fieldset", { class: "checks" }, h("legend", {}, "Audience"));
    const effects = h("div", { class: "effects" });
    const err = errorBox();
    const preview = h("div", { class: "preview-box", "aria-live": "polite" });
    const all = h("input", { type: "checkbox", checked: true });
    const teamsBox = h("span", { class: "teams-box" });
    audience.append(h("label", { class: "check" }, all, " Every delegation"), teamsBox);
    const fillTeams = () => {
      if (teamsBox.childElementCount || !s()) return;
      teamsBox.append(...s().scenario.teams.map((t) => h("label", { class: "check" }, h("input", { type: "checkbox", value: t.id }), ` ${t.name}`)));
    };
    const chosen = () => (all.checked ? "all" : [...teamsBox.querySelectorAll("input:checked")].map((b) => b.value));
    const readEffects = () =>
      [...effects.querySelectorAll(".effect")].map((row) => {
        const kind = row.querySelector("[name=kind]").value;
        const target = row.querySelector("[name=target]");
        const amount = Number(row.querySelector("[name=amount]").value || 0);
        const effect = { kind };
        if (kind === "extend_phase") effect.seconds = Math.round(amount);
        else effect.delta = amount;
        if (EFFECTS[kind].target === "region") effect.region = target.value;
        if (EFFECTS[kind].target === "team") effect.team = target.value;
        if (EFFECTS[kind].resource) effect.resource = row.querySelector("[name=resource]").value.trim();
        return effect;
      });
    const showPreview = () => {
      if (!s()) return;
      fillTeams();
      const aud = chosen();
      let fx = [];
      try {
        fx = readEffects();
      } catch {
        fx = [];
      }
      fill(preview,
        h("h3", {}, "What each team will see"),
        h(
          "ul",
          { class: "preview" },
          s().scenario.teams.map((t) => {
            const sees = aud === "all" || aud.includes(t.id);
            return h("li", {}, h("strong", {}, t.name), sees ? `: “${title.value || "(no title)"}” — ${text.value || "(no text)"}` : ": nothing (not in the audience).");
          }),
        ),
        fx.length ? h("p", {}, `Effects for everyone: ${fx.map((e) => effectText(s(), e)).join("; ")}.`) : null,
      );
    };
    const addEffect = () => {
      const st = s();
      const kind = h("select", { name: "kind", "aria-label": "Effect" }, Object.entries(EFFECTS).map(([k, v]) => h("option", { value: k }, v.label)));
      const target = h("select", { name: "target", "aria-label": "Region or team" });
      const resource = h("input", { name: "resource", type: "text", placeholder: "resource", "aria-label": "Resource", hidden: true });
      const amount = h("input", { name: "amount", type: "number", step: "any", value: "0", "aria-label": "Change by" });
      const fillTargets = () => {
        const spec = EFFECTS[kind.value];
        const options = spec.target === "region" ? st.scenario.regions.map((r) => [r.id, r.name]) : spec.target === "team" ? st.scenario.teams.map((t) => [t.id, t.name]) : [];
        target.replaceChildren(...options.map(([v, l]) => h("option", { value: v }, l)));
        target.hidden = !options.length;
        resource.hidden = !spec.resource;
      };
      kind.addEventListener("change", fillTargets);
      fillTargets();
      effects.append(h("div", { class: "effect row" }, kind, target, resource, amount, h("button", { type: "button", onclick: (e) => { e.currentTarget.parentElement.remove(); showPreview(); } }, "Remove")));
      showPreview();
    };
    const form = h(
      "details",
      { class: "custom-inject" },
      h("summary", {}, "Write an inject"),
      h(
        "form",
        {
          oninput: showPreview,
          onchange: showPreview,
          onsubmit: async (e) => {
            e.preventDefault();
            showError(err, "");
            if (!text.value.trim()) return showError(err, "Write the inject's text.");
            const aud = chosen();
            if (aud !== "all" && !aud.length) return showError(err, "Choose the audience.");
            const reply = await this.act({ type: "custom_inject", title: title.value.trim(), text: text.value.trim(), audience: aud, effects: readEffects() }, err);
            if (reply.type === "accepted") {
              title.value = "";
              text.value = "";
              effects.replaceChildren();
              showPreview();
            }
          },
        },
        field("Title", title),
        field("Text", text),
        audience,
        h("h3", {}, "Effects (optional)"),
        effects,
        h("button", { type: "button", onclick: addEffect }, "Add an effect"),
        preview,
        h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Fire the inject")),
        err,
      ),
    );
    form.addEventListener("toggle", showPreview);
    return form;
  }

  // --- the live view ------------------------------------------------------------------------

  _viewOptions() {
    const s = this.store.state;
    const key = JSON.stringify(s.scenario.teams.map((t) => t.id));
    if (this.viewAs.dataset.renderKey === key) return;
    this.viewAs.dataset.renderKey = key;
    fill(this.viewAs,
      h("option", { value: "" }, "Facilitator (everything, private channels included)"),
      s.scenario.teams.map((t) => h("option", { value: t.id }, `Team ${t.name} (exactly what its players see)`)),
    );
    this.viewAs.value = this.asTeam;
  }

  _switchView() {
    this.asTeam = this.viewAs.value;
    this.teamRoom = null;
    if (!this.asTeam) {
      this.liveHost.replaceChildren(this.room.el);
      this.room.render();
      return;
    }
    this.liveHost.replaceChildren(h("p", { class: "loading" }, "Loading the team's view…"));
    this._refreshTeamView(true);
  }

  _refreshTeamView(now = false) {
    clearTimeout(this._teamTimer);
    this._teamTimer = setTimeout(() => this._loadTeamView(), now ? 0 : 300);
  }

  async _loadTeamView() {
    const team = this.asTeam;
    if (!team) return;
    let view;
    try {
      view = await api(`/api/sessions/${encodeURIComponent(this.session)}/view?team=${encodeURIComponent(team)}`, { token: this.token });
    } catch (err) {
      this.liveHost.replaceChildren(h("p", { class: "error", role: "alert" }, explain(err)));
      return;
    }
    if (team !== this.asTeam) return;
    const console = this;
    const frozen = { view, get state() { return this.view.state; }, now: () => console.store.now() };
    if (!this.teamRoom || this.teamRoom.ctx.team !== team) {
      this.teamRoom = new Room({ store: frozen, session: `${this.session}:as:${team}`, team, act: null, readonly: true });
      this.liveHost.replaceChildren(h("p", { class: "notice" }, `You see what ${teamName(view.state, team)}'s players see. Nothing can be done from this view.`), this.teamRoom.el);
    } else {
      this.teamRoom.ctx.store = frozen;
      for (const part of [this.teamRoom.negotiate, this.teamRoom.talk, this.teamRoom.brief, this.teamRoom.news]) part.ctx.store = frozen;
    }
    this.teamRoom.render();
  }
}

function start() {
  const parts = location.pathname.split("/").filter(Boolean);
  const session = decodeURIComponent(parts[1] || "");
  const token = tokenFor(session);
  if (!session || !token) {
    main.replaceChildren(h("section", { class: "card narrow" }, h("h1", {}, "Open the console link"), h("p", {}, "This browser does not hold the facilitator's key for this session. Open the console link you were given when the session was created.")));
    return;
  }
  new Console(session, token);
}

start();
