// The players' room: the phase bar, and four panels (negotiate, talk, brief, news) that sit
// side by side on a laptop or a projector and behind a section bar on a phone. The console's
// "view as team X" shows the same room, read-only.

import { h, region } from "./dom.js";
import { duration, left, statusWord, teamName } from "./format.js";
import { Negotiate, abilities } from "./move.js";
import { Brief, News } from "./panels.js";
import * as persist from "./persist.js";
import { Talk } from "./talk.js";

const WIDE = "(min-width: 1000px)";

export class Room {
  /**
   * @param {object} ctx {store, session, team, seat, act(command, errorBox), readonly}
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.el = h("div", { class: "room" });
    this.bar = h("div", { class: "phasebar", role: "region", "aria-label": "Session status" });
    this.negotiate = new Negotiate(ctx);
    this.talk = new Talk(ctx);
    this.brief = new Brief(ctx);
    this.news = new News(ctx);
    this.active = persist.load(ctx.session, `room:panel:${ctx.readonly ? "ro" : "rw"}`, "move") || "move";
    this.newsSeen = persist.load(ctx.session, "news:seen", 0) || 0;
    const panels = [
      ["move", "Negotiate", this.negotiate.el],
      ["talk", "Talk", this.talk.el],
      ["brief", "Brief", this.brief.el],
      ["news", "News & scores", this.news.el],
    ];
    const prefix = ctx.readonly ? "ro-" : "";
    this.buttons = {};
    this.panels = {};
    const nav = h("nav", { class: "sections", "aria-label": "Sections" });
    for (const [id, label, body] of panels) {
      const button = h(
        "button",
        { type: "button", "aria-controls": `${prefix}panel-${id}`, dataset: { panel: id }, onclick: () => this.show(id) },
        h("span", { class: "label" }, label),
        h("span", { class: "badge", hidden: true }),
      );
      this.buttons[id] = button;
      nav.appendChild(button);
      this.panels[id] = h(
        "section",
        { class: `panel panel-${id}`, id: `${prefix}panel-${id}`, "aria-label": label, tabindex: -1 },
        body,
      );
    }
    this.nav = nav;
    this.el.append(this.bar, nav, h("div", { class: "panels" }, Object.values(this.panels)));
    this.wide = window.matchMedia(WIDE);
    this.wide.addEventListener("change", () => this.render());
    this.show(this.active, false);
  }

  show(id, focus = true) {
    this.active = id;
    persist.save(this.ctx.session, `room:panel:${this.ctx.readonly ? "ro" : "rw"}`, id);
    for (const [key, panel] of Object.entries(this.panels)) {
      panel.classList.toggle("active", key === id);
      this.buttons[key].setAttribute("aria-pressed", key === id ? "true" : "false");
    }
    if (this.ctx.store.view) this.render();
    if (focus && !this.wide.matches) this.panels[id].focus?.();
  }

  visible(id) {
    return this.wide.matches || this.active === id;
  }

  render() {
    const view = this.ctx.store.view;
    if (!view) return;
    this._bar(view);
    // At the debrief the final scores lead the negotiating panel.
    const slot = view.state.status === "concluded" ? this.negotiate.finalSlot : this.news.scoresSlot;
    if (this.news.scores.parentElement !== slot) slot.appendChild(this.news.scores);
    this.negotiate.render();
    this.talk.render();
    this.brief.render();
    this.news.render();
    this.talk.markSeen(this.visible("talk"));
    if (this.visible("news")) {
      const last = view.state.feed.length ? view.state.feed[view.state.feed.length - 1].seq : 0;
      if (last > this.newsSeen) {
        this.newsSeen = last;
        persist.save(this.ctx.session, "news:seen", last);
      }
    }
    this._badge("talk", this.visible("talk") ? 0 : this.talk.unread());
    this._badge("news", this.visible("news") ? 0 : this.news.unread(this.newsSeen));
    // Your turn, or a ballot waiting for your vote: the section bar says so.
    const can = this.ctx.team && !this.ctx.readonly ? abilities(view, this.ctx.team) : null;
    this._badge("move", !this.visible("move") && can && (can.myTurn || can.vote) ? "!" : 0);
    this.tick();
  }

  _badge(id, n) {
    const badge = this.buttons[id].querySelector(".badge");
    badge.hidden = !n;
    badge.textContent = n ? String(n) : "";
    if (n) badge.setAttribute("aria-label", n === "!" ? "your move" : `${n} new`);
  }

  _bar(view) {
    const s = view.state;
    const phase = view.phase;
    const rounds = s.scenario.rounds.count;
    const key = JSON.stringify([s.status, phase, s.round, this.ctx.team]);
    region(this.bar, key, () => {
      const where =
        s.status === "lobby"
          ? "Not started yet"
          : s.status === "concluded"
            ? "The session is over"
            : phase
              ? `Round ${s.round} of ${rounds} · ${phase.title}${phase.open ? "" : " (ended)"}`
              : `Round ${s.round} of ${rounds}`;
      return [
        h("span", { class: `status status-${s.status}` }, statusWord(s)),
        h("span", { class: "where" }, where),
        h("span", { class: "clock-item", hidden: true, dataset: { show: "phase" } }, "Phase ends in ", h("strong", { class: "clock", dataset: { clock: "phase" } })),
        h(
          "span",
          { class: "clock-item", hidden: true, dataset: { show: "turn" } },
          phase && phase.holder ? `${teamName(s, phase.holder)}${phase.holder === this.ctx.team && !this.ctx.facilitator ? " (you)" : ""} speaking: ` : "Turn: ",
          h("strong", { class: "clock", dataset: { clock: "turn" } }),
        ),
        h("span", { class: "clock-item", hidden: true, dataset: { show: "ballot" } }, "Ballot closes in ", h("strong", { class: "clock", dataset: { clock: "ballot" } })),
      ];
    });
  }

  /** Update the clocks (several times a second). */
  tick() {
    const s = this.ctx.store.state;
    if (!s) return;
    const now = this.ctx.store.now();
    const clocks = {
      phase: s.phase_open ? left(s.phase_clock, now) : null,
      turn: s.formal.current !== null && s.formal.current !== undefined ? left(s.formal.clock, now) : null,
      ballot: s.open_ballot ? left(s.ballots[s.open_ballot].clock, now) : null,
    };
    for (const [name, ms] of Object.entries(clocks)) {
      const item = this.bar.querySelector(`[data-show="${name}"]`);
      if (!item) continue;
      item.hidden = ms === null;
      const el = item.querySelector(".clock");
      if (ms !== null) {
        const text = `${duration(ms)}${s.status === "paused" ? " (paused)" : ""}`;
        if (el.textContent !== text) el.textContent = text;
        item.classList.toggle("urgent", ms < 15000 && s.status === "running");
      }
    }
    this.negotiate.tick();
  }
}
