// The replay viewer: a session's log step by step, as one perspective saw it (a team, the
// facilitator, the public). The server folds the log to the chosen seq and projects it with the
// engine's own `view` (GET /api/sessions/{s}/replay/view); this page only shows that view in
// the players' room, read-only. The timeline is the perspective's projected events.
// `/replay` without a session opens an export file (a researcher's upload).

import { $, errorBox, field, fill, h, showError, uid } from "./dom.js";
import { api } from "./net.js";
import { explain } from "./common.js";
import { time } from "./format.js";
import { Room } from "./room.js";
import { describe, kindOf } from "./describe.js";
import { download, keepResearcher, sessionFromPath, tokenFor } from "./access.js";

const main = $("#main");
const who = $("#who");
const SPEEDS = [0.5, 1, 2, 4, 8, 16];
const CACHE = 300;

function uploadPage(note) {
  const input = h("input", { type: "file", accept: ".jsonl,.ndjson,application/x-ndjson,application/json", required: true });
  const err = errorBox();
  const submit = h("button", { type: "submit", class: "primary" }, "Open the replay");
  const form = h(
    "form",
    {
      onsubmit: async (e) => {
        e.preventDefault();
        showError(err, "");
        const file = input.files && input.files[0];
        if (!file) {
          showError(err, "Choose an export file first.");
          return;
        }
        submit.disabled = true;
        try {
          const r = await fetch("/api/imports", { method: "POST", headers: { "Content-Type": "application/x-ndjson" }, body: file });
          const data = await r.json();
          if (!r.ok) {
            const d = data.detail || {};
            showError(err, d.seq ? `This file does not check: ${d.reason} (first bad seq: ${d.seq}).` : d.reason || `The server answered ${r.status}.`);
            return;
          }
          keepResearcher(data.session, data.token);
          location.assign(`/replay/${encodeURIComponent(data.session)}`);
        } catch {
          showError(err, "The server cannot be reached: check the network.");
        } finally {
          submit.disabled = false;
        }
      },
    },
    field("Export file (JSON Lines, with its hash chain)", input, "From “Export” in a replay, /api/sessions/{session}/log, or chapter8 export."),
    submit,
    err,
  );
  fill(main,
    h(
      "section",
      { class: "card narrow" },
      h("h1", {}, "Replay an exported session"),
      note ? h("p", { class: "notice" }, note) : null,
      h("p", {}, "Open a session's exported log to replay it step by step from any delegation's point of view and to read its debrief. The server checks the file's hash chain first: a file changed anywhere is refused, naming the first event that does not check."),
      form,
    ),
  );
}

function perspectiveLabel(p, names) {
  if (p === "facilitator") return "Facilitator (everything, every channel)";
  if (p === "public") return "Public (what anyone sees)";
  const team = p.slice(5);
  return `${names[team] || team} (what its players saw)`;
}

class Viewer {
  constructor(session, access) {
    this.session = session;
    this.access = access;
    const params = new URLSearchParams(location.search);
    this.perspective = params.get("as") || (access.kind === "seat" ? `team:${access.team}` : "facilitator");
    this.seq = Number(params.get("seq")) || 0;
    this.speed = Number(params.get("speed")) || 2;
    this.timeline = null;
    this.views = new Map();
    this.playing = false;
    this.playTimer = null;
    this.loadToken = 0;
    this.store = { view: null, get state() { return this.view ? this.view.state : null; }, now: () => (this.store.view ? this.store.view.state.at : Date.now()) };
    this.room = null;
    this._build();
    this.loadTimeline(true);
  }

  get api() {
    return `/api/sessions/${encodeURIComponent(this.session)}`;
  }

  _build() {
    this.title = h("h1", { class: "replay-title" }, "Replay");
    this.select = h("select", { id: uid("persp"), onchange: () => this.switchPerspective(this.select.value) });
    this.slider = h("input", { type: "range", min: 1, max: 1, value: 1, step: 1, id: uid("seq"), class: "scrub" });
    this.slider.addEventListener("input", () => this.go(Number(this.slider.value), { debounce: true }));
    this.back = h("button", { type: "button", onclick: () => this.step(-1) }, "◀ Step back");
    this.playButton = h("button", { type: "button", class: "primary", "aria-pressed": "false", onclick: () => this.toggle() }, "▶ Play");
    this.forward = h("button", { type: "button", onclick: () => this.step(1) }, "Step forward ▶");
    this.speedSelect = h(
      "select",
      { id: uid("speed"), onchange: () => { this.speed = Number(this.speedSelect.value); this._url(); } },
      SPEEDS.map((s) => h("option", { value: s, selected: s === this.speed }, `${s} event${s === 1 ? "" : "s"} a second`)),
    );
    this.where = h("span", { class: "replay-where", role: "status", "aria-live": "polite" });
    this.copyButton = h("button", { type: "button", onclick: () => this.copyLink() }, "Copy the link to this moment");
    this.copied = h("span", { class: "hint", role: "status" });
    this.tools = h("span", { class: "row tools" });
    this.err = errorBox();
    this.list = h("ol", { class: "replay-timeline", "aria-label": "Events" });
    this.roomHost = h("div", { class: "replay-room" });
    this.controls = h(
      "section",
      { class: "card replay-controls", "aria-label": "Replay controls" },
      h("div", { class: "row replay-head" }, this.title, h("span", { class: "inline-field" }, h("label", { for: this.select.id }, "Seen by"), this.select)),
      h("div", { class: "scrubber" }, h("label", { for: this.slider.id }, "Moment (event seq)"), this.slider),
      h("div", { class: "row", role: "group", "aria-label": "Playback" }, this.back, this.playButton, this.forward, h("span", { class: "inline-field" }, h("label", { for: this.speedSelect.id }, "Speed"), this.speedSelect), this.where),
      h("div", { class: "row replay-tools" }, this.copyButton, this.copied, this.tools),
      this.err,
    );
    fill(main,
      this.controls,
      h("div", { class: "replay-body" }, h("section", { class: "card replay-events", "aria-labelledby": "tl-h" }, h("h2", { id: "tl-h" }, "Timeline"), h("p", { class: "hint" }, "Every event this perspective saw. Choose one to go there."), this.list), this.roomHost),
    );
    main.addEventListener("keydown", (e) => {
      if (e.target && ["INPUT", "SELECT", "TEXTAREA"].includes(e.target.tagName) && e.target !== this.slider) return;
      if (e.key === "ArrowRight" && e.target !== this.slider) this.step(1);
      else if (e.key === "ArrowLeft" && e.target !== this.slider) this.step(-1);
    });
  }

  async loadTimeline(first = false) {
    let body;
    try {
      body = await api(`${this.api}/replay?perspective=${encodeURIComponent(this.perspective)}`, { token: this.access.token });
    } catch (err) {
      if (first && err.status === 403 && this.perspective !== "public") {
        // Not a perspective this reader may take (a player's link): the public one says
        // which it may, and the first team among them is the player's own.
        this.perspective = "public";
        await this.loadTimeline(false);
        const own = this.timeline && this.timeline.perspectives.find((p) => p.startsWith("team:"));
        if (own) this.switchPerspective(own);
        return;
      }
      fill(this.roomHost, h("p", { class: "error", role: "alert" }, err.status === 403 ? `${explain(err)} A player may replay the session once the scenario opens its log (usually at the debrief).` : explain(err)));
      this.where.textContent = "";
      return;
    }
    this.timeline = body;
    this.names = Object.fromEntries(body.teams.map((t) => [t.id, t.name]));
    this.seqs = body.events.map((e) => e.seq);
    document.title = `Replay — ${body.title} — Chapter VIII`;
    who.textContent = `Replay · ${body.title}`;
    this.title.textContent = `Replay: ${body.title}`;
    fill(this.select, body.perspectives.map((p) => h("option", { value: p, selected: p === this.perspective }, perspectiveLabel(p, this.names))));
    this.slider.max = body.head;
    this.slider.setAttribute("aria-valuetext", "");
    this._tools(body);
    this._list();
    if (!this.seq || this.seq > body.head) this.seq = first && !this.seq ? body.head : Math.min(this.seq || body.head, body.head);
    await this.go(this.seq);
  }

  _tools(body) {
    const parts = [h("a", { href: `/debrief/${encodeURIComponent(this.session)}` }, "The debrief")];
    if (body.reader === "facilitator") parts.push(h("a", { href: `/console/${encodeURIComponent(this.session)}` }, "The console"));
    if (body.may_fork) {
      const anon = h("input", { type: "checkbox", id: uid("anon") });
      const exportErr = errorBox();
      const get = async (name) => {
        showError(exportErr, "");
        try {
          await download(`${this.api}/export/${name}${anon.checked ? "?pseudonymise=true" : ""}`, this.access.token, name);
        } catch (err) {
          showError(exportErr, explain(err));
        }
      };
      parts.push(
        h(
          "details",
          { class: "exports" },
          h("summary", {}, "Export"),
          h("div", { class: "row" },
            h("button", { type: "button", onclick: () => get("bundle.zip") }, "Everything (zip)"),
            h("button", { type: "button", onclick: () => get("log.jsonl") }, "The log (JSON Lines)"),
            h("button", { type: "button", onclick: () => get("transcript.html") }, "Transcript (HTML)"),
            h("button", { type: "button", onclick: () => get("transcript.md") }, "Transcript (Markdown)"),
          ),
          h("p", {}, h("label", { class: "check" }, anon, "Pseudonymise the players (Player 1, Player 2…)")),
          h("p", { class: "hint" }, "The zip holds the log, tidy CSV tables (messages, proposals, utilities, votes, pledges, scores, security, phases), their codebook and the transcripts."),
          exportErr,
        ),
      );
      this.forkTitle = h("input", { type: "text", maxLength: 200, value: "" });
      this.forkButton = h("button", { type: "submit", class: "primary" }, "Start the new session");
      parts.push(
        h(
          "details",
          { class: "fork" },
          h("summary", {}, "Start a new session from this moment…"),
          h(
            "form",
            { onsubmit: (e) => (e.preventDefault(), this.fork()) },
            h("p", { class: "hint" }, "A new live session carries on from the moment shown, with new join links; it starts paused, every clock keeping the time it had left. Its log records where it came from."),
            field("Title of the new session", this.forkTitle),
            this.forkButton,
          ),
        ),
      );
    }
    if (body.forked_from) {
      parts.push(h("p", { class: "hint" }, `A fork of session ${body.forked_from.session} at seq ${body.forked_from.seq}.`));
    }
    fill(this.tools, parts);
  }

  _list() {
    const events = this.timeline.events;
    fill(this.list,
      events.map((e) =>
        h(
          "li",
          { class: `ev ev-${kindOf(e)}`, dataset: { seq: e.seq } },
          h(
            "button",
            { type: "button", class: "ev-go", onclick: () => this.go(e.seq) },
            h("span", { class: "ev-seq" }, `#${e.seq}`),
            h("time", { dateTime: new Date(e.at).toISOString() }, time(e.at)),
            h("span", { class: "ev-text" }, describe(e, this.names)),
          ),
        ),
      ),
    );
  }

  _url() {
    const params = new URLSearchParams();
    params.set("seq", String(this.seq));
    params.set("as", this.perspective);
    if (this.speed !== 2) params.set("speed", String(this.speed));
    history.replaceState(null, "", `${location.pathname}?${params.toString()}`);
  }

  async copyLink() {
    this._url();
    try {
      await navigator.clipboard.writeText(location.href);
      this.copied.textContent = "Copied.";
    } catch {
      this.copied.textContent = `The link: ${location.href}`;
    }
  }

  switchPerspective(p) {
    this.perspective = p;
    this.views.clear();
    this.room = null;
    this.loadTimeline();
  }

  step(direction) {
    if (!this.seqs || !this.seqs.length) return false;
    let target;
    if (direction > 0) target = this.seqs.find((s) => s > this.seq);
    else target = [...this.seqs].reverse().find((s) => s < this.seq);
    if (target === undefined) return false;
    this.go(target);
    return true;
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  play() {
    if (this.seq >= this.timeline.head) this.go(this.seqs[0] || 1);
    this.playing = true;
    this.playButton.textContent = "⏸ Pause";
    this.playButton.setAttribute("aria-pressed", "true");
    const tick = async () => {
      if (!this.playing) return;
      const target = this.seqs.find((s) => s > this.seq);
      if (target === undefined) {
        this.pause();
        return;
      }
      await this.go(target);
      this.playTimer = setTimeout(tick, 1000 / this.speed);
    };
    this.playTimer = setTimeout(tick, 1000 / this.speed);
  }

  pause() {
    this.playing = false;
    clearTimeout(this.playTimer);
    this.playButton.textContent = "▶ Play";
    this.playButton.setAttribute("aria-pressed", "false");
  }

  async go(seq, { debounce = false } = {}) {
    this.seq = Math.max(1, Math.min(seq, this.timeline ? this.timeline.head : seq));
    this.slider.value = String(this.seq);
    this._mark();
    this._url();
    clearTimeout(this.debounceTimer);
    if (debounce) {
      this.debounceTimer = setTimeout(() => this._load(this.seq), 120);
      return;
    }
    await this._load(this.seq);
  }

  async _load(seq) {
    const key = `${this.perspective}@${seq}`;
    const n = ++this.loadToken;
    let body = this.views.get(key);
    if (!body) {
      try {
        body = await api(`${this.api}/replay/view?perspective=${encodeURIComponent(this.perspective)}&seq=${seq}`, { token: this.access.token });
      } catch (err) {
        showError(this.err, explain(err));
        return;
      }
      this.views.set(key, body);
      if (this.views.size > CACHE) this.views.delete(this.views.keys().next().value);
    }
    if (n !== this.loadToken) return;
    showError(this.err, "");
    this.store.view = body.view;
    const team = this.perspective.startsWith("team:") ? this.perspective.slice(5) : null;
    if (!this.room) {
      this.room = new Room({ store: this.store, session: `${this.session}:replay:${this.perspective}`, team, act: null, readonly: true, facilitator: this.perspective === "facilitator", showDrafts: true });
      fill(this.roomHost, this.room.el);
    }
    this.room.render();
    this._where(body);
  }

  _where(body) {
    const e = this.timeline.events.find((x) => x.seq === this.seq);
    const head = this.timeline.head;
    const at = new Date(body.at).toLocaleString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    const text = `Event ${this.seq} of ${head} · ${at} · ${e ? describe(e, this.names) : "(not seen from here)"}`;
    this.where.textContent = text;
    this.slider.setAttribute("aria-valuetext", `event ${this.seq} of ${head}`);
    this.back.disabled = !this.seqs.some((s) => s < this.seq);
    this.forward.disabled = !this.seqs.some((s) => s > this.seq);
    if (this.forkButton) {
      const ended = body.view.state.status === "concluded";
      this.forkButton.disabled = ended;
      this.forkButton.title = ended ? "The session had ended by then: choose an earlier moment." : "";
    }
  }

  _mark() {
    const old = this.list.querySelector("li.current");
    if (old) {
      old.classList.remove("current");
      old.querySelector("button").removeAttribute("aria-current");
    }
    const seqs = this.seqs || [];
    let at = null;
    for (const s of seqs) if (s <= this.seq) at = s;
    if (at === null) return;
    const li = this.list.querySelector(`li[data-seq="${at}"]`);
    if (li) {
      li.classList.add("current");
      li.querySelector("button").setAttribute("aria-current", "step");
      const box = this.list;
      const top = li.offsetTop;
      if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - li.offsetHeight) box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  async fork() {
    const title = this.forkTitle.value.trim() || `${this.timeline.title} (from event ${this.seq})`;
    try {
      const made = await api(`${this.api}/fork`, { method: "POST", token: this.access.token, body: { seq: this.seq, title } });
      const links = {};
      for (const l of made.join_links) links[l.seat] = { code: l.code, link: l.link };
      localStorage.setItem(`c8:links:${made.session}`, JSON.stringify(links));
      localStorage.setItem(`c8:fac:${made.session}`, made.facilitator_token);
      localStorage.setItem(`c8:meta:${made.session}`, JSON.stringify({ title: made.title, created: Date.now() }));
      location.assign(`/console/${encodeURIComponent(made.session)}`);
    } catch (err) {
      showError(this.err, explain(err));
    }
  }
}

function start() {
  const session = sessionFromPath();
  if (!session) {
    uploadPage();
    return;
  }
  const access = tokenFor(session);
  if (!access) {
    uploadPage("This browser holds no key to this session. The facilitator opens it from the console; a player from the room once the session is over; a researcher from an export file, here.");
    return;
  }
  new Viewer(session, access);
}

start();
