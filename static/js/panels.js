// The brief (public and private), resources, the news feed, regional security and the scores.

import { h, region } from "./dom.js";
import { number, teamName, time } from "./format.js";

export class Brief {
  constructor(ctx) {
    this.ctx = ctx;
    this.el = h("div", { class: "brief" });
  }

  render() {
    if (this.ctx.facilitator) {
      this._all();
      return;
    }
    const s = this.ctx.store.state;
    const team = this.ctx.team;
    const me = s.scenario.teams.find((t) => t.id === team);
    const state = s.teams[team];
    const key = JSON.stringify([s.scenario.title, me, state, s.declassified, s.status]);
    region(this.el, key, () => [
      h(
        "section",
        { class: "card", "aria-labelledby": "sit-h" },
        h("h2", { id: "sit-h" }, "The situation"),
        h("p", { class: "lead" }, s.scenario.title),
        paragraphs(s.scenario.background || s.scenario.summary),
      ),
      me
        ? h(
            "section",
            { class: "card", "aria-labelledby": "you-h" },
            h("h2", { id: "you-h" }, `Your delegation: ${me.name}`),
            me.public_profile ? h("p", {}, me.public_profile) : null,
            h("h3", {}, "Your private brief"),
            h("p", { class: "notice" }, "Only your team and the facilitator can read this."),
            paragraphs(me.brief || "No private brief."),
            me.objectives && me.objectives.length
              ? [h("h3", {}, "Your objectives"), h("ul", {}, me.objectives.map((o) => h("li", {}, `${o.text} (${number(o.points)} point${o.points === 1 ? "" : "s"})`)))]
              : null,
            values(s, me),
          )
        : null,
      state ? resources(s, team, state) : null,
      h(
        "section",
        { class: "card", "aria-labelledby": "others-h" },
        h("h2", { id: "others-h" }, "The delegations"),
        h(
          "dl",
          { class: "teams" },
          s.scenario.teams.map((t) => [h("dt", {}, t.name, t.id === team ? " (you)" : ""), h("dd", {}, t.public_profile || "—")]),
        ),
      ),
    ]);
  }
}

Brief.prototype._all = function all() {
  const s = this.ctx.store.state;
  const key = JSON.stringify([s.scenario.teams, s.teams]);
  region(this.el, key, () => [
    h(
      "section",
      { class: "card", "aria-labelledby": "sit-h" },
      h("h2", { id: "sit-h" }, "The situation"),
      h("p", { class: "lead" }, s.scenario.title),
      paragraphs(s.scenario.background || s.scenario.summary),
      s.scenario.facilitator_notes ? [h("h3", {}, "Notes for the facilitator"), paragraphs(s.scenario.facilitator_notes)] : null,
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "briefs-h" },
      h("h2", { id: "briefs-h" }, "Every delegation's brief"),
      s.scenario.teams.map((t) =>
        h(
          "details",
          { class: "team-brief" },
          h("summary", {}, t.name),
          t.public_profile ? h("p", {}, t.public_profile) : null,
          h("h3", {}, "Private brief"),
          paragraphs(t.brief || "No private brief."),
          t.objectives && t.objectives.length ? h("ul", {}, t.objectives.map((o) => h("li", {}, o.text))) : null,
          values(s, t),
          s.teams[t.id] ? h("p", {}, "Resources: ", Object.entries(s.teams[t.id].resources).map(([r, v]) => `${r} ${number(v)}`).join(", ") || "none", `; institutionalisation ${number(s.teams[t.id].institutionalisation)}; standing ${number(s.teams[t.id].standing)}.`) : null,
        ),
      ),
    ),
  ]);
};

function paragraphs(text) {
  return String(text || "")
    .split(/\n\s*\n/)
    .filter((p) => p.trim())
    .map((p) => h("p", {}, p.trim()));
}

/** The team's private weights as a readable table: what each clause is worth to it. */
function values(s, team) {
  const items = Object.entries(team.weights || {});
  if (!items.length) return null;
  return [
    h("h3", {}, "What your team values"),
    items.map(([itemId, issues]) => {
      const it = s.scenario.agenda.find((i) => i.id === itemId);
      if (!it) return null;
      const total = Object.values(issues).reduce((a, w) => a + w.weight, 0) || 1;
      const reservation = (team.reservation || {})[itemId];
      return h(
        "table",
        { class: "values" },
        h("caption", {}, it.title),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Clause"), h("th", { scope: "col" }, "Weight"), h("th", { scope: "col" }, "How you value the options (0 to 1)"))),
        h(
          "tbody",
          {},
          it.issues.map((iss) => {
            const w = issues[iss.id];
            if (!w) return null;
            let how = "";
            if (iss.kind === "choice") how = iss.options.map((o) => `${o.label}: ${number(w.options[o.id] ?? 0)}`).join("; ");
            else if (iss.kind === "number") how = (w.points || []).map(([x, y]) => `${number(x)}${iss.unit ? ` ${iss.unit}` : ""}: ${number(y)}`).join("; ");
            else if (iss.kind === "members") how = Object.entries(w.members || {}).map(([m, y]) => `${teamName(s, m)}: ${number(y)}`).join("; ");
            return h("tr", {}, h("th", { scope: "row" }, iss.title), h("td", {}, `${Math.round((100 * w.weight) / total)}%`), h("td", {}, how));
          }),
        ),
        reservation !== undefined ? h("tfoot", {}, h("tr", {}, h("td", { colspan: 3 }, `No agreement on this item is worth ${number(reservation)} to you: do not accept less.`))) : null,
      );
    }),
  ];
}

function resources(s, team, state) {
  const rows = Object.entries(state.resources || {});
  return h(
    "section",
    { class: "card", "aria-labelledby": "res-h" },
    h("h2", { id: "res-h" }, "Your resources"),
    h(
      "dl",
      { class: "facts" },
      rows.map(([r, v]) => [h("dt", {}, r), h("dd", {}, number(v))]),
      h("dt", {}, "Institutionalisation"),
      h("dd", {}, number(state.institutionalisation)),
      h("dt", {}, "Standing"),
      h("dd", {}, number(state.standing)),
    ),
  );
}

export class News {
  constructor(ctx) {
    this.ctx = ctx;
    this.el = h("div", { class: "news" });
    this.feed = h("section", { class: "card", "aria-labelledby": "feed-h" });
    this.regions = h("section", { class: "card", "aria-labelledby": "reg-h" });
    this.scores = h("div");
    this.scoresSlot = h("div", {}, this.scores);
    this.el.append(this.scoresSlot, this.feed, this.regions);
  }

  unread(seenSeq) {
    const s = this.ctx.store.state;
    return s ? s.feed.filter((f) => f.text && f.seq > seenSeq).length : 0;
  }

  render() {
    const s = this.ctx.store.state;
    const feed = s.feed.filter((f) => f.text).slice().reverse();
    region(this.feed, JSON.stringify(feed.map((f) => f.seq)), () => [
      h("h2", { id: "feed-h" }, "News and announcements"),
      feed.length
        ? h(
            "ol",
            { class: "feed" },
            feed.map((f) =>
              h(
                "li",
                { class: f.kind },
                h("p", { class: "meta" }, f.kind === "inject" ? "News" : "Facilitator", " · ", h("time", { dateTime: new Date(f.at).toISOString() }, time(f.at)), this.ctx.facilitator && f.audience !== "all" ? ` · to ${f.audience.map((t) => teamName(s, t)).join(", ")}` : ""),
                f.title ? h("h3", {}, f.title) : null,
                h("p", {}, f.text),
              ),
            ),
          )
        : h("p", { class: "empty" }, "Nothing yet."),
    ]);
    const regions = Object.values(s.regions);
    region(this.regions, JSON.stringify(regions), () => [
      h("h2", { id: "reg-h" }, "Regional security"),
      h("p", { class: "hint" }, "Security is a public good: every delegation with an interest in a region gains from it."),
      regions.map((r) => {
        const meta = s.scenario.regions.find((x) => x.id === r.id);
        const name = meta ? meta.name : r.id;
        const id = `sec-${r.id}`;
        const history = r.history.length ? ` History: ${r.history.map((x) => number(x)).join(" → ")}.` : "";
        return h(
          "div",
          { class: "region" },
          h("label", { for: id }, h("strong", {}, name), ` — security ${number(r.security)}, threat ${number(r.threat)} a round`),
          h("meter", { id, min: 0, max: 1, low: 0.35, high: 0.6, optimum: 1, value: r.security }, number(r.security)),
          history ? h("p", { class: "hint" }, history) : null,
        );
      }),
    ]);
    const scores = Object.entries(s.scores);
    region(this.scores, JSON.stringify([scores, s.collective, s.status]), () => {
      if (!scores.length) return [];
      const final = s.status === "concluded";
      return h(
        "section",
        { class: `card scores${final ? " final" : ""}`, "aria-labelledby": "scores-h" },
        h("h2", { id: "scores-h" }, final ? "Final scores" : this.ctx.facilitator ? "Scores so far" : "Your score so far"),
        h(
          "table",
          { class: "score-table" },
          h("caption", {}, "Points out of 100: agreements + security + objectives − cost"),
          h("thead", {}, h("tr", {}, ["Delegation", "Agreements", "Security", "Objectives", "Cost", "Total"].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            scores
              .sort((a, b) => b[1].total - a[1].total)
              .map(([t, sc]) =>
                h(
                  "tr",
                  { class: t === this.ctx.team ? "mine" : null },
                  h("th", { scope: "row" }, teamName(s, t)),
                  h("td", {}, number(sc.agreements)),
                  h("td", {}, number(sc.security)),
                  h("td", {}, number(sc.objectives)),
                  h("td", {}, sc.cost ? `−${number(sc.cost)}` : "0"),
                  h("td", { class: "total" }, number(sc.total)),
                ),
              ),
          ),
        ),
        h("p", {}, `Collective score (mean security across regions, the public good): ${number(s.collective)}`),
        final
          ? h(
              "p",
              { class: "row" },
              h("a", { href: `/debrief/${encodeURIComponent(s.session)}` }, "The debrief, with its charts"),
              h("a", { href: `/replay/${encodeURIComponent(s.session)}` }, "Replay the session"),
            )
          : null,
        final && s.scenario.debrief_questions && s.scenario.debrief_questions.length
          ? [h("h3", {}, "For the debrief"), h("ol", {}, s.scenario.debrief_questions.map((q) => h("li", {}, q)))]
          : null,
      );
    });
  }
}
