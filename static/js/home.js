// The facilitator's start page: the scenarios, and a form to create a session from one. The
// new session's console opens with its join links already known to this browser.

import { $, errorBox, field, fill, h, showError } from "./dom.js";
import { api } from "./net.js";

const main = $("#main");

function recent() {
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith("c8:fac:")) {
        const session = key.slice("c8:fac:".length);
        const meta = JSON.parse(localStorage.getItem(`c8:meta:${session}`) || "{}");
        out.push({ session, ...meta });
      }
    }
  } catch {
    /* no storage */
  }
  return out.sort((a, b) => (b.created || 0) - (a.created || 0));
}

async function start() {
  let scenarios;
  try {
    scenarios = await api("/api/scenarios");
  } catch (err) {
    main.replaceChildren(h("p", { class: "error", role: "alert" }, err.reason));
    return;
  }
  const select = h(
    "select",
    { required: true },
    scenarios.map((s) => h("option", { value: s.id, selected: s.id === "tutorial" }, `${s.title}${s.year ? ` (${s.year})` : ""}`)),
  );
  const title = h("input", { type: "text", maxLength: 200, placeholder: "e.g. Monday seminar, group B" });
  const err = errorBox();
  const submit = h("button", { type: "submit", class: "primary" }, "Create the session");
  const details = h("div", { class: "scenario-details", "aria-live": "polite" });
  const describe = () => {
    const s = scenarios.find((x) => x.id === select.value);
    if (!s) return details.replaceChildren();
    const seats = s.teams.reduce((n, t) => n + t.seats, 0);
    fill(details,
      h("p", {}, s.summary || ""),
      h("p", { class: "hint" }, `${s.teams.length} delegations, ${seats} seats, ${s.rounds} round${s.rounds === 1 ? "" : "s"}: ${s.teams.map((t) => `${t.name} (${t.seats})`).join(", ")}.`),
    );
  };
  select.addEventListener("change", describe);
  describe();
  const form = h(
    "form",
    {
      onsubmit: async (e) => {
        e.preventDefault();
        showError(err, "");
        submit.disabled = true;
        try {
          const created = await api("/api/sessions", { method: "POST", body: { scenario: select.value, title: title.value.trim() } });
          const links = {};
          for (const l of created.join_links) links[l.seat] = { code: l.code, link: l.link };
          localStorage.setItem(`c8:links:${created.session}`, JSON.stringify(links));
          localStorage.setItem(`c8:fac:${created.session}`, created.facilitator_token);
          localStorage.setItem(`c8:meta:${created.session}`, JSON.stringify({ title: created.title, created: Date.now() }));
          location.assign(`/console/${created.session}`);
        } catch (e2) {
          submit.disabled = false;
          showError(err, e2.reason);
        }
      },
    },
    field("Scenario", select),
    details,
    field("Title of the session (optional)", title, "Players see it when they join."),
    submit,
    err,
  );
  const mine = recent();
  fill(main,
    h(
      "section",
      { class: "card narrow" },
      h("h1", {}, "Run a negotiation"),
      h(
        "p",
        {},
        "Create a session, give each player the join link of a seat (or show its QR code on the projector), then start it from the console. The console lets you pause, advance or extend phases, fire injects, announce, and see everything, private channels included.",
      ),
      form,
    ),
    mine.length
      ? h(
          "section",
          { class: "card narrow" },
          h("h2", {}, "Your sessions on this device"),
          h("ul", {}, mine.map((m) => h("li", {}, h("a", { href: `/console/${m.session}` }, m.title || m.session)))),
        )
      : null,
  );
}

start();
