// Talk: the floor, the team channel and private channels, open or closed as the phase says.
// The composer keeps what is typed per channel (sessionStorage) until the server accepts it.

import { errorBox, fill, h, region, showError, uid } from "./dom.js";
import { teamName, time } from "./format.js";
import * as persist from "./persist.js";

export function openKinds(view) {
  const s = view.state;
  if (s.status === "lobby" || s.status === "concluded") return ["floor", "team"];
  if (!view.phase || !view.phase.open) return [];
  return view.phase.channels;
}

export function channelLabel(state, channel, viewerTeam) {
  if (channel.kind === "floor") return "Floor (everyone)";
  if (channel.kind === "team") {
    const team = channel.teams[0];
    return team === viewerTeam ? "Team channel" : `Team: ${teamName(state, team)}`;
  }
  const others = channel.teams.filter((t) => t !== viewerTeam);
  const who = others.map((t) => teamName(state, t)).join(", ");
  return channel.title ? `${channel.title} (${who})` : `Private: ${who}`;
}

function sortedChannels(state) {
  const order = { floor: 0, team: 1, private: 2 };
  return Object.values(state.channels).sort(
    (a, b) => order[a.kind] - order[b.kind] || a.id.localeCompare(b.id, "en", { numeric: true }),
  );
}

export class Talk {
  /**
   * @param {object} ctx  {store, session, team, act, readonly, facilitator}
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.current = persist.load(ctx.session, "talk:channel", "floor") || "floor";
    this.seen = persist.load(ctx.session, "talk:seen", {}) || {};
    this.el = h("div", { class: "talk" });
    this.notice = h(
      "p",
      { class: "notice" },
      "The facilitator can read every channel, private channels included.",
    );
    this.list = h("div", { class: "channel-list", role: "group", "aria-label": "Channels" });
    this.heading = h("h3", { class: "channel-title", id: uid("ch") });
    this.messages = h("div", { class: "messages", role: "log", "aria-labelledby": this.heading.id, tabindex: 0 });
    this.el.append(this.notice, this.list, h("div", { class: "channel" }, this.heading, this.messages));
    if (!ctx.readonly) {
      this._composer();
      this._opener();
    }
  }

  _composer() {
    const { session } = this.ctx;
    this.input = h("textarea", { id: uid("say"), rows: 2, maxLength: 4000, dataset: { key: "composer" } });
    this.inputLabel = h("label", { for: this.input.id }, "Message");
    this.sendButton = h("button", { type: "submit", class: "primary" }, "Send");
    this.sendHint = h("p", { class: "hint", id: uid("hint") });
    this.input.setAttribute("aria-describedby", this.sendHint.id);
    this.sendError = errorBox();
    this.input.value = persist.load(session, `say:${this.current}`, "") || "";
    this.input.addEventListener("input", () => persist.save(session, `say:${this.current}`, this.input.value));
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.form = h(
      "form",
      { class: "composer", onsubmit: (e) => (e.preventDefault(), this._send()) },
      this.inputLabel,
      this.input,
      h("div", { class: "row" }, this.sendButton, this.sendHint),
      this.sendError,
    );
    this.el.appendChild(this.form);
  }

  async _send() {
    const text = this.input.value.trim();
    if (!text) return;
    const channel = this.current;
    showError(this.sendError, "");
    this.sendButton.disabled = true;
    const reply = await this.ctx.act({ type: "say", channel, text }, this.sendError);
    this.sendButton.disabled = false;
    if (reply.type === "accepted") {
      // Only what was sent is cleared; anything typed since stays.
      const key = `say:${channel}`;
      if (this.current === channel && this.input.value.trim() === text) {
        this.input.value = "";
        persist.clear(this.ctx.session, key);
      } else if (this.current !== channel) {
        persist.clear(this.ctx.session, key);
      }
    }
    this._updateComposer();
  }

  _opener() {
    const { session } = this.ctx;
    this.openBox = h("details", { class: "opener" });
    this.openChecks = h("fieldset", { class: "checks" }, h("legend", {}, "With"));
    this.openTitle = h("input", { type: "text", maxLength: 200, id: uid("title") });
    persist.keepInput(session, this.openTitle, "open:title");
    this.openButton = h("button", { type: "submit" }, "Open the channel");
    this.openError = errorBox();
    this.openHint = h("p", { class: "hint" });
    this.openBox.append(
      h("summary", {}, "Open a private channel with other teams"),
      h(
        "form",
        { onsubmit: (e) => (e.preventDefault(), this._open()) },
        this.openChecks,
        h("div", { class: "field" }, h("label", { for: this.openTitle.id }, "Title (optional)"), this.openTitle),
        this.openButton,
        this.openHint,
        this.openError,
      ),
    );
    this.el.appendChild(this.openBox);
  }

  async _open() {
    const teams = [...this.openChecks.querySelectorAll("input:checked")].map((b) => b.value);
    if (!teams.length) {
      showError(this.openError, "Choose at least one team.");
      return;
    }
    const reply = await this.ctx.act(
      { type: "open_channel", teams, title: this.openTitle.value.trim() },
      this.openError,
    );
    if (reply.type === "accepted") {
      this.openTitle.value = "";
      persist.clear(this.ctx.session, "open:title");
      for (const b of this.openChecks.querySelectorAll("input")) b.checked = false;
      this.openBox.open = false;
      // The channel just opened (its event arrives before the reply) becomes the current one.
      const s = this.ctx.store.state;
      const prefix = `${this.ctx.team}-c`;
      const mine = Object.keys(s.channels)
        .filter((id) => id.startsWith(prefix))
        .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)))[0];
      if (mine) this.select(mine);
    }
  }

  select(channelId) {
    if (this.input) {
      persist.save(this.ctx.session, `say:${this.current}`, this.input.value);
      this.input.value = persist.load(this.ctx.session, `say:${channelId}`, "") || "";
    }
    this.current = channelId;
    persist.save(this.ctx.session, "talk:channel", channelId);
    if (this.sendError) showError(this.sendError, "");
    this.render(true);
    if (this.input) this.input.focus();
  }

  unread() {
    const s = this.ctx.store.state;
    if (!s) return 0;
    let n = 0;
    for (const c of Object.values(s.channels)) {
      const last = this.seen[c.id] || 0;
      n += c.messages.filter((m) => m.seq > last).length;
    }
    return n;
  }

  markSeen(visible) {
    const s = this.ctx.store.state;
    const channel = s && s.channels[this.current];
    if (!channel || !visible) return;
    const last = channel.messages.length ? channel.messages[channel.messages.length - 1].seq : 0;
    if ((this.seen[channel.id] || 0) < last) {
      this.seen[channel.id] = last;
      persist.save(this.ctx.session, "talk:seen", this.seen);
    }
  }

  render(force = false) {
    const { store, team } = this.ctx;
    const view = store.view;
    const s = view.state;
    if (!s.channels[this.current]) this.current = "floor";
    const channels = sortedChannels(s);
    const kinds = openKinds(view);
    const key = JSON.stringify([
      this.current,
      channels.map((c) => [c.id, c.messages.length, this.seen[c.id] || 0]),
      kinds,
    ]);
    region(this.list, key, () =>
      channels.map((c) => {
        const fresh = c.messages.filter((m) => m.seq > (this.seen[c.id] || 0)).length;
        const open = this.ctx.facilitator || kinds.includes(c.kind);
        return h(
          "button",
          {
            type: "button",
            class: `chan${c.id === this.current ? " current" : ""}${open ? "" : " closed"}`,
            "aria-pressed": c.id === this.current ? "true" : "false",
            dataset: { key: `chan-${c.id}`, channel: c.id },
            onclick: () => this.select(c.id),
          },
          channelLabel(s, c, team),
          open ? null : h("span", { class: "tag" }, " closed now"),
          fresh && c.id !== this.current ? h("span", { class: "badge", "aria-label": `${fresh} new` }, String(fresh)) : null,
        );
      }),
    );
    const channel = s.channels[this.current];
    this.heading.textContent = channelLabel(s, channel, team);
    const wasAtEnd = this.messages.scrollHeight - this.messages.scrollTop - this.messages.clientHeight < 40;
    const changed = region(this.messages, `${channel.id}:${channel.messages.length}`, () =>
      channel.messages.length
        ? channel.messages.map((m) =>
            h(
              "div",
              { class: `msg${m.team === team && !this.ctx.facilitator ? " mine" : ""}` },
              h(
                "p",
                { class: "meta" },
                h("strong", {}, m.name || (m.team ? teamName(s, m.team) : "Facilitator")),
                m.team ? ` · ${teamName(s, m.team)}` : " · Facilitator",
                m.bot ? " · bot" : "",
                " · ",
                h("time", { dateTime: new Date(m.at).toISOString() }, time(m.at)),
              ),
              h("p", { class: "text" }, m.text),
            ),
          )
        : h("p", { class: "empty" }, "No messages yet."),
    );
    if ((changed && wasAtEnd) || force) this.messages.scrollTop = this.messages.scrollHeight;
    if (!this.ctx.readonly) {
      this._updateComposer();
      this._updateOpener();
    }
  }

  _updateComposer() {
    const view = this.ctx.store.view;
    const s = view.state;
    const channel = s.channels[this.current];
    const open = this.ctx.facilitator || openKinds(view).includes(channel.kind);
    this.inputLabel.textContent = `Message to ${channelLabel(s, channel, this.ctx.team)}`;
    this.sendButton.disabled = !open;
    this.sendHint.textContent = open
      ? "Enter sends; Shift+Enter starts a new line."
      : `${channel.kind === "floor" ? "The floor" : channel.kind === "team" ? "The team channel" : "Private channels"} ${channel.kind === "floor" ? "is" : "are"} closed in this phase; what you type is kept.`;
  }

  _updateOpener() {
    if (this.ctx.facilitator) {
      this.openBox.hidden = true;
      return;
    }
    const view = this.ctx.store.view;
    const s = view.state;
    const allowed = openKinds(view).includes("private");
    const others = s.scenario.teams.filter((t) => t.id !== this.ctx.team);
    const key = JSON.stringify(others.map((t) => t.id));
    if (this.openChecks.dataset.renderKey !== key) {
      this.openChecks.dataset.renderKey = key;
      fill(this.openChecks,
        h("legend", {}, "With"),
        others.map((t) =>
          h("label", { class: "check" }, h("input", { type: "checkbox", value: t.id }), ` ${t.name}`),
        ),
      );
    }
    this.openButton.disabled = !allowed;
    this.openHint.textContent = allowed ? "" : "Private channels can be opened when the phase allows it (consultations).";
  }
}
