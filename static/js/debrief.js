// The debrief: what the session achieved against what was possible. Everything comes from
// GET /api/sessions/{s}/debrief, which applies the scenario's disclosure for this reader
// (game/analysis/debrief.py, `debrief_for`); the page draws it with Chart.js (from npm, served
// at /vendor/chart.js) and shows the numbers behind every chart in a table.

import { $, fill, h, uid } from "./dom.js";
import { api } from "./net.js";
import { explain } from "./common.js";
import { clause, number, rule, time } from "./format.js";
import { sessionFromPath, tokenFor } from "./access.js";

const main = $("#main");
const who = $("#who");
const COLOURS = ["#1a4f8b", "#b35c00", "#1d6b35", "#a4201b", "#6b3fa0", "#00777a", "#7a5c00", "#c2185b", "#37474f", "#5d4037"];
const DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
const Chart = window.Chart;

function colour(i) {
  return COLOURS[i % COLOURS.length];
}

function card(id, title, ...body) {
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), body);
}

function wideCard(id, title, ...body) {
  const el = card(id, title, ...body);
  el.classList.add("wide");
  return el;
}

function chartBox(label, config, { tall = false } = {}) {
  if (!Chart) return h("p", { class: "no-charts" }, "Charts need Chart.js: run `make node` on the server. The numbers are below.");
  const canvas = h("canvas", { role: "img", "aria-label": label });
  const box = h("div", { class: `chart-box${tall ? " tall" : ""}` }, canvas);
  // Drawn once the box is in the page (Chart.js measures its parent).
  requestAnimationFrame(() => {
    box.chart = new Chart(canvas, config);
  });
  return box;
}

function numbers(caption, head, rows) {
  return h(
    "details",
    { class: "numbers" },
    h("summary", {}, "The numbers"),
    h("div", { class: "scroll", tabindex: 0, role: "region", "aria-label": caption }, h("table", {}, h("caption", {}, caption), h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c) : h("td", {}, c)))))))),
  );
}

function fmt(x, digits = 3) {
  return typeof x === "number" ? x.toLocaleString("en-GB", { maximumFractionDigits: digits }) : String(x ?? "—");
}

class Debrief {
  constructor(session, access, d) {
    this.session = session;
    this.access = access;
    this.d = d;
    const sc = d.scenario;
    this.names = Object.fromEntries(sc.teams.map((t) => [t.id, t.name]));
    this.regions = Object.fromEntries(sc.regions.map((r) => [r.id, r.name]));
    this.items = Object.fromEntries(sc.agenda.map((i) => [i.id, i]));
    this.teamIndex = Object.fromEntries(sc.teams.map((t, i) => [t.id, i]));
    this.start = d.first_at;
    // Format helpers expect a state with a scenario.
    this.state = { scenario: { teams: sc.teams, agenda: sc.agenda, council: [] } };
  }

  name(id) {
    return this.names[id] || id;
  }

  /** A link to that moment of the replay. */
  moment(seq) {
    return h("a", { href: `/replay/${encodeURIComponent(this.session)}?seq=${seq}`, "aria-label": `event ${seq} in the replay` }, `#${seq}`);
  }

  minutes(at) {
    return Math.round(((at - this.start) / 60000) * 100) / 100;
  }

  render() {
    const d = this.d;
    document.title = `Debrief — ${d.title} — Chapter VIII`;
    who.textContent = `Debrief · ${d.title}`;
    if (Chart) {
      Chart.defaults.font.size = window.matchMedia("(min-width: 1800px)").matches ? 19 : 15;
      Chart.defaults.color = "#1a1d21";
      Chart.defaults.borderColor = "#c9ced6";
      Chart.defaults.animation = false;
      Chart.defaults.maintainAspectRatio = false;
    }
    fill(main,
      h(
        "section",
        { class: "card" },
        h("h1", {}, `Debrief: ${d.title}`),
        h("p", {}, `${d.scenario.title}. ${d.status === "concluded" ? "The session is over." : `The session is ${d.status} (event ${d.seq}): the debrief so far.`}`),
        h("p", { class: "row" }, h("a", { href: `/replay/${encodeURIComponent(this.session)}` }, "Replay the session step by step"), d.reader === "facilitator" ? h("a", { href: `/console/${encodeURIComponent(this.session)}` }, "The console") : null),
        d.declassified.length ? h("p", { class: "hint" }, `Declassified now: ${d.declassified.join(", ")}.`) : null,
      ),
      h("div", { class: "debrief" },
        this.scores(),
        this.security(),
        this.texts(),
        this.votes(),
        this.outcomes(),
        this.pledges(),
        this.interventions(),
        this.secrets(),
        this.questions(),
      ),
    );
  }

  scores() {
    const entries = Object.entries(this.d.scores).sort((a, b) => b[1].total - a[1].total);
    if (!entries.length) return card("scores-h", "Scores", h("p", { class: "empty" }, "The scores are not declassified yet."));
    const labels = entries.map(([t]) => this.name(t));
    const parts = [
      ["agreements", "Agreements", "#1a4f8b"],
      ["security", "Security", "#1d6b35"],
      ["objectives", "Objectives", "#b35c00"],
      ["cost", "Cost (−)", "#a4201b"],
    ];
    return card(
      "scores-h",
      "Scores and their parts",
      h("p", {}, `Points out of 100: agreements + security + objectives − cost. Collective score (mean security across regions, the public good): ${number(this.d.collective)}.`),
      chartBox("Scores by delegation, stacked by part", {
        type: "bar",
        data: { labels, datasets: parts.map(([k, l, c]) => ({ label: l, backgroundColor: c, data: entries.map(([, s]) => (k === "cost" ? -s[k] : s[k])) })) },
        options: { indexAxis: "y", scales: { x: { stacked: true, title: { display: true, text: "points" } }, y: { stacked: true } } },
      }),
      numbers("Each delegation's score", ["Delegation", "Agreements", "Security", "Objectives", "Cost", "Total"], entries.map(([t, s]) => [this.name(t), fmt(s.agreements, 2), fmt(s.security, 2), fmt(s.objectives, 2), `−${fmt(s.cost, 2)}`, fmt(s.total, 2)])),
    );
  }

  security() {
    const regions = Object.entries(this.d.security);
    const rounds = Math.max(0, ...regions.map(([, hist]) => hist.length));
    const start = Object.fromEntries(this.d.scenario.regions.map((r) => [r.id, r.security]));
    const labels = ["Start", ...Array.from({ length: rounds }, (_, i) => `Round ${i + 1}`)];
    return card(
      "sec-h",
      "Security per region, round by round",
      rounds
        ? chartBox("Security of each region after each round", {
            type: "line",
            data: { labels, datasets: regions.map(([r, hist], i) => ({ label: this.regions[r] || r, data: [start[r], ...hist], borderColor: colour(i), backgroundColor: colour(i), borderDash: DASHES[i % DASHES.length], borderWidth: 3, pointRadius: 5 })) },
            options: { plugins: { legend: { labels: { usePointStyle: true } } }, scales: { y: { min: 0, max: 1, title: { display: true, text: "security (0 to 1)" } } } },
          })
        : h("p", { class: "empty" }, "No round has been resolved yet."),
      numbers("Security at the start and after each round", ["Region", ...labels], regions.map(([r, hist]) => [this.regions[r] || r, ...[start[r], ...hist].map((x) => fmt(x))])),
    );
  }

  texts() {
    const byItem = {};
    for (const t of this.d.texts) (byItem[t.item] = byItem[t.item] || []).push(t);
    const blocks = Object.entries(byItem).map(([itemId, versions]) => {
      const teams = [...new Set(versions.flatMap((v) => Object.keys(v.utilities)))];
      const proposals = [...new Set(versions.map((v) => v.proposal))];
      const datasets = [];
      for (const team of teams) {
        proposals.forEach((p, j) => {
          const points = versions.filter((v) => v.proposal === p && v.utilities[team] !== undefined).map((v) => ({ x: v.seq, y: v.utilities[team], how: v.how, by: v.by, at: v.at }));
          if (points.length) datasets.push({ label: `${this.name(team)} · ${p}`, data: points, borderColor: colour(this.teamIndex[team] ?? 0), backgroundColor: colour(this.teamIndex[team] ?? 0), borderDash: DASHES[j % DASHES.length], stepped: "before", borderWidth: 3, pointRadius: 6 });
        });
      }
      const title = (this.items[itemId] || {}).title || itemId;
      return [
        h("h3", {}, title),
        datasets.length
          ? chartBox(`What each version of each text on ${title} was worth to each delegation, over time`, {
              type: "line",
              data: { datasets },
              options: {
                parsing: { xAxisKey: "x", yAxisKey: "y" },
                scales: { x: { type: "linear", title: { display: true, text: "the moment: event (seq) in the log, as the replay numbers it" } }, y: { min: 0, max: 1, title: { display: true, text: "utility to the delegation (0 to 1)" } } },
                plugins: { legend: { labels: { usePointStyle: true } }, tooltip: { callbacks: { afterLabel: (c) => `${c.raw.how} by ${this.name(c.raw.by)}, ${time(c.raw.at)}` } } },
              },
            })
          : h("p", { class: "hint" }, "No utility to show here: no delegation values this item by weights (a burden-sharing package is valued as cost), or the weights are not declassified yet."),
        numbers(
          `Each version of each text on ${title}`,
          ["Text", "Event", "Time", "How", "By", ...teams.map((t) => this.name(t))],
          versions.map((v) => [v.proposal, this.moment(v.seq), time(v.at), v.how, this.name(v.by), ...teams.map((t) => fmt(v.utilities[t]))]),
        ),
      ];
    });
    const concessions = this.d.concessions;
    return wideCard(
      "texts-h",
      "The proposals over time: who conceded, and when",
      h("p", { class: "hint" }, "Each line is one delegation's utility for one text (solid, dashed, dotted: the item's texts in the order tabled), from its tabling through each change, along the log's events."),
      blocks.length ? blocks : h("p", { class: "empty" }, "No text was tabled."),
      h("h3", {}, "Concessions"),
      concessions.length
        ? h("ul", {}, concessions.map((c) => h("li", {}, this.moment(c.seq), ` ${time(c.at)}: ${this.name(c.team)} conceded ${fmt(c.before - c.after, 2)} on ${(this.items[c.item] || {}).title || c.item}, ${c.how === "accepted" ? "accepting an amendment to" : c.how === "revised" ? "revising" : "tabling"} ${c.proposal} (${fmt(c.before, 2)} → ${fmt(c.after, 2)}).`)))
        : h("p", { class: "empty" }, "No concession that this view may show."),
    );
  }

  votes() {
    const votes = this.d.votes;
    const voters = [...new Set(votes.flatMap((v) => Object.keys(v.votes)))];
    return card(
      "votes-h",
      "The vote matrix",
      votes.length
        ? h(
            "div",
            { class: "scroll", tabindex: 0, role: "region", "aria-label": "The vote matrix" },
            h(
              "table",
              { class: "vote-matrix" },
              h("caption", {}, "Every closed ballot (rows) and how each voter voted (columns)"),
              h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Ballot"), h("th", { scope: "col" }, "Result"), voters.map((v) => h("th", { scope: "col" }, this.name(v))))),
              h(
                "tbody",
                {},
                votes.map((b) =>
                  h(
                    "tr",
                    {},
                    h("th", { scope: "row" }, `${b.ballot}: ${b.subject} (${(this.items[b.item] || {}).title || b.item}, round ${b.round})`),
                    h("td", { class: b.adopted ? "adopted" : "rejected" }, b.adopted ? "adopted" : "not adopted"),
                    voters.map((v) => {
                      const c = b.votes[v] || "absent";
                      return h("td", { class: `vote-${c}` }, c);
                    }),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "empty" }, "No ballot this view may show."),
      this.power(),
    );
  }

  power() {
    const rows = this.d.power;
    if (!rows.length) return null;
    return [
      h("h3", {}, "Voting power under each item's rule"),
      rows.map((p) => {
        const it = this.items[p.item];
        return numbers(
          `${it ? it.title : p.item}: ${it ? rule(it.rule) : p.rule}`,
          ["Voter", "Banzhaf", "Shapley–Shubik"],
          Object.keys(p.banzhaf).map((v) => [this.name(v), fmt(p.banzhaf[v]), fmt(p.shapley_shubik[v])]),
        );
      }),
    ];
  }

  outcomes() {
    const items = this.d.items;
    return wideCard(
      "out-h",
      "What was agreed against what was possible",
      items.length
        ? items.map((a) => this.outcome(a))
        : h("p", { class: "empty" }, "The outcome analysis rests on every delegation's private weights: it opens when the scenario declassifies them (usually at the debrief)."),
    );
  }

  outcome(a) {
    const it = this.items[a.item] || { title: a.item, issues: [] };
    const xSel = h("select", { id: uid("ax") }, a.teams.map((t, i) => h("option", { value: t, selected: i === 0 }, this.name(t))));
    const ySel = h("select", { id: uid("ay") }, a.teams.map((t, i) => h("option", { value: t, selected: i === 1 }, this.name(t))));
    const host = h("div");
    const draw = () => {
      const x = xSel.value;
      const y = ySel.value;
      const pt = (p) => (p ? { x: p.utilities[x], y: p.utilities[y] } : null);
      const sets = [
        { label: "Pareto frontier (projected)", data: a.frontier.map(pt), backgroundColor: "rgba(26,79,139,0.45)", borderColor: "#1a4f8b", pointRadius: 5, pointStyle: "circle" },
        { label: "Nash bargaining point", data: [pt(a.nash)].filter(Boolean), backgroundColor: "#1d6b35", borderColor: "#1d6b35", pointRadius: 12, pointStyle: "star", borderWidth: 3 },
        { label: "Kalai–Smorodinsky point", data: [pt(a.kalai_smorodinsky)].filter(Boolean), backgroundColor: "#6b3fa0", borderColor: "#6b3fa0", pointRadius: 11, pointStyle: "triangle" },
        { label: "Highest total welfare", data: [pt(a.max_welfare)], backgroundColor: "#b35c00", borderColor: "#b35c00", pointRadius: 10, pointStyle: "rectRot" },
        { label: a.actual ? "The adopted text" : "No agreement (the reservation values)", data: [{ x: a.actual_utilities[x], y: a.actual_utilities[y] }], backgroundColor: "#a4201b", borderColor: "#a4201b", pointRadius: 14, pointStyle: "crossRot", borderWidth: 4 },
        { label: "Disagreement point", data: [{ x: a.disagreement[x], y: a.disagreement[y] }], backgroundColor: "#37474f", borderColor: "#37474f", pointRadius: 8, pointStyle: "rect" },
      ];
      fill(host,
        chartBox(`${it.title}: the outcome space, ${this.name(x)} across and ${this.name(y)} up`, {
          type: "scatter",
          data: { datasets: sets },
          // Points on the edges (a utility of 0 or 1) are drawn whole: no clipping, some padding.
          options: { layout: { padding: 18 }, datasets: { scatter: { clip: false } }, plugins: { legend: { labels: { usePointStyle: true } } }, scales: { x: { min: 0, max: 1, title: { display: true, text: `utility to ${this.name(x)}` } }, y: { min: 0, max: 1, title: { display: true, text: `utility to ${this.name(y)}` } } } },
        }, { tall: true }),
      );
    };
    xSel.addEventListener("change", draw);
    ySel.addEventListener("change", draw);
    draw();
    const gap = (g) => (g ? `${fmt(g.distance)} away; ${fmt(g.welfare_lost)} total utility lost` : "—");
    const text = (p) => (p ? it.issues.filter((i) => p.clauses[i.id] !== undefined).map((i) => `${i.title}: ${clause(this.state, i, p.clauses[i.id])}`).join("; ") : "—");
    return h(
      "article",
      { class: "item" },
      h("h3", {}, it.title),
      h("p", { class: "hint" }, `The chart shows two delegations' axes at a time (choose them): it is a projection of a ${a.teams.length}-delegation outcome space, so a frontier point may look dominated here and still be on the frontier through a third delegation's utility. Space: ${a.space_size.toLocaleString("en-GB")} outcomes, ${a.method === "exact" ? "enumerated" : "searched (see docs/replay.md)"}.`),
      h("div", { class: "axes" }, h("span", {}, h("label", { for: xSel.id }, "Across: "), xSel), h("span", {}, h("label", { for: ySel.id }, "Up: "), ySel)),
      host,
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, a.actual ? "Adopted" : "Outcome"),
        h("dd", {}, a.actual ? text(a.actual) : "No agreement: each delegation got its reservation value."),
        h("dt", {}, "On the frontier"),
        h("dd", {}, a.on_frontier ? "Yes: no other outcome was better for one delegation and no worse for any." : `No: ${fmt(a.gap_to_frontier)} from the nearest frontier point.`),
        h("dt", {}, "Nash point"),
        h("dd", {}, `${text(a.nash)} — ${gap(a.gap_to_nash)}`),
        h("dt", {}, "Kalai–Smorodinsky"),
        h("dd", {}, `${text(a.kalai_smorodinsky)} — ${gap(a.gap_to_kalai_smorodinsky)}`),
        h("dt", {}, "Highest welfare"),
        h("dd", {}, `${text(a.max_welfare)} — ${gap(a.gap_to_max_welfare)}`),
      ),
      numbers(`${it.title}: each delegation's utility at each reference point`, ["Delegation", "Disagreement", "Actual", "Nash", "Kalai–Smorodinsky", "Highest welfare"], a.teams.map((t) => [this.name(t), fmt(a.disagreement[t]), fmt(a.actual_utilities[t]), fmt(a.nash ? a.nash.utilities[t] : null), fmt(a.kalai_smorodinsky ? a.kalai_smorodinsky.utilities[t] : null), fmt(a.max_welfare.utilities[t])])),
    );
  }

  pledges() {
    const rows = this.d.pledge_balance;
    return card(
      "pl-h",
      "Pledged against delivered",
      rows.length
        ? [
            chartBox("Pledged and delivered, by delegation and resource", {
              type: "bar",
              data: {
                labels: rows.map((r) => `${this.name(r.team)} · ${r.resource}`),
                datasets: [
                  { label: "Pledged", data: rows.map((r) => r.pledged), backgroundColor: "#9fb3dd", borderColor: "#1a4f8b", borderWidth: 2 },
                  { label: "Delivered", data: rows.map((r) => r.delivered), backgroundColor: "#1d6b35" },
                ],
              },
              options: { scales: { y: { beginAtZero: true, title: { display: true, text: "amount (each resource in its own unit)" } } } },
            }),
            numbers("Pledged against delivered", ["Delegation", "Resource", "Pledged", "Delivered", "Outstanding", "Share delivered", "Broken pledges"], rows.map((r) => [this.name(r.team), r.resource, fmt(r.pledged), fmt(r.delivered), fmt(r.outstanding), `${Math.round(r.share_delivered * 100)}%`, String(r.broken)])),
          ]
        : h("p", { class: "empty" }, "No burden-sharing package was adopted."),
    );
  }

  interventions() {
    const rows = this.d.interventions;
    const types = [...new Set(rows.map((r) => r.type))];
    const words = { session_started: "start", session_paused: "pause", session_resumed: "resume", deadline_moved: "extend", inject_fired: "inject", announced: "announce", seat_assigned: "seat assigned", seat_freed: "seat freed", session_concluded: "end", phase_ended: "advance", message_posted: "message" };
    return h(
      "section",
      { class: "card wide", "aria-labelledby": "int-h" },
      h("h2", { id: "int-h" }, "The facilitator's interventions on the timeline"),
      rows.length
        ? chartBox("The facilitator's interventions over time", {
            type: "scatter",
            data: { datasets: types.map((t, i) => ({ label: words[t] || t, data: rows.filter((r) => r.type === t).map((r) => ({ x: this.minutes(r.at), y: words[t] || t, summary: r.summary })), backgroundColor: colour(i), borderColor: colour(i), pointRadius: 8 })) },
            options: {
              scales: { x: { type: "linear", title: { display: true, text: "minutes since the session was created" } }, y: { type: "category", labels: types.map((t) => words[t] || t) } },
              plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => c.raw.summary } } },
            },
          })
        : null,
      this.d.phases.length
        ? numbers("The phases as played", ["Round", "Phase", "Started", "Ended", "Why it ended"], this.d.phases.map((p) => [String(p.round), p.phase, time(p.started_at), p.ended_at ? time(p.ended_at) : "—", p.reason || "—"]))
        : null,
      h("ol", { class: "record" }, rows.map((r) => h("li", {}, h("p", { class: "meta" }, this.moment(r.seq), ` · ${time(r.at)} · +${fmt(this.minutes(r.at), 1)} min · ${words[r.type] || r.type}`), h("p", { class: "text" }, r.summary)))),
    );
  }

  secrets() {
    const open = this.d.secrets.filter((s) => s.brief !== null || s.weights !== null);
    return h(
      "section",
      { class: "card wide", "aria-labelledby": "sec-open-h" },
      h("h2", { id: "sec-open-h" }, "What the delegations kept to themselves"),
      this.d.facilitator_notes ? [h("h3", {}, "Notes for the facilitator"), h("p", {}, this.d.facilitator_notes)] : null,
      open.length
        ? open.map((s) =>
            h(
              "details",
              { class: "team-brief", open: open.length <= 4 },
              h("summary", {}, s.name),
              s.brief !== null ? [h("h3", {}, "Private brief"), h("p", {}, s.brief || "—")] : null,
              s.objectives && s.objectives.length ? [h("h3", {}, "Objectives"), h("ul", {}, s.objectives.map((o) => h("li", {}, o)))] : null,
              s.weights ? this.weights(s) : null,
            ),
          )
        : h("p", { class: "empty" }, "Nothing is declassified yet."),
    );
  }

  weights(s) {
    return Object.entries(s.weights).map(([itemId, issues]) => {
      const it = this.items[itemId];
      if (!it) return null;
      const total = Object.values(issues).reduce((a, w) => a + w.weight, 0) || 1;
      return h(
        "table",
        { class: "values" },
        h("caption", {}, `${it.title}: what ${s.name} valued (reservation ${fmt((s.reservation || {})[itemId])})`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Clause"), h("th", { scope: "col" }, "Weight"), h("th", { scope: "col" }, "Values (0 to 1)"))),
        h(
          "tbody",
          {},
          it.issues.map((iss) => {
            const w = issues[iss.id];
            if (!w) return null;
            let how = "";
            if (iss.kind === "choice") how = iss.options.map((o) => `${o.label}: ${fmt(w.options[o.id] ?? 0, 2)}`).join("; ");
            else if (iss.kind === "number") how = (w.points || []).map(([x, y]) => `${fmt(x)}: ${fmt(y, 2)}`).join("; ");
            else if (iss.kind === "members") how = Object.entries(w.members || {}).map(([m, y]) => `${this.name(m)}: ${fmt(y, 2)}`).join("; ");
            return h("tr", {}, h("th", { scope: "row" }, iss.title), h("td", {}, `${Math.round((100 * w.weight) / total)}%`), h("td", {}, how));
          }),
        ),
      );
    });
  }

  questions() {
    const qs = this.d.scenario.debrief_questions || [];
    if (!qs.length) return null;
    return h("section", { class: "card wide", "aria-labelledby": "q-h" }, h("h2", { id: "q-h" }, "For the debrief"), h("ol", {}, qs.map((q) => h("li", {}, q))));
  }
}

async function start() {
  const session = sessionFromPath();
  const access = session ? tokenFor(session) : null;
  if (!access) {
    fill(main, h("section", { class: "card narrow" }, h("h1", {}, "Open the debrief from the console or the room"), h("p", {}, "This browser holds no key to this session. The facilitator opens the debrief from the console; players from their room once the session is over; researchers from the replay of an export file.")));
    return;
  }
  let d;
  try {
    d = await api(`/api/sessions/${encodeURIComponent(session)}/debrief`, { token: access.token });
  } catch (err) {
    fill(main, h("section", { class: "card narrow" }, h("h1", {}, "The debrief is not open"), h("p", { class: "error", role: "alert" }, err.status === 403 ? "The debrief opens for the players when the session ends." : explain(err))));
    return;
  }
  new Debrief(session, access, d).render();
}

start();
