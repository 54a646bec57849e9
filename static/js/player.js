// The player's page: a join link (`/join/{session}/{seat}#code`) shows the lobby card and asks
// for a name, exchanges the code for a seat token over REST, and opens the room in the same
// page (`/play/{session}` from then on, the code out of the address bar). The token is kept
// per session in sessionStorage (this tab) and localStorage (this browser).

import { $, errorBox, field, h, showError } from "./dom.js";
import { api } from "./net.js";
import { connect, connectionBadge } from "./common.js";
import { Room } from "./room.js";

const main = $("#main");
const conn = $("#conn");
const who = $("#who");

function stored(session) {
  for (const storage of [sessionStorage, localStorage]) {
    try {
      const raw = storage.getItem(`c8:seat:${session}`);
      if (raw) return JSON.parse(raw);
    } catch {
      /* blocked storage */
    }
  }
  return null;
}

function remember(session, seat) {
  const raw = JSON.stringify(seat);
  for (const storage of [sessionStorage, localStorage]) {
    try {
      storage.setItem(`c8:seat:${session}`, raw);
    } catch {
      /* blocked storage: the tab still plays */
    }
  }
}

function forget(session) {
  for (const storage of [sessionStorage, localStorage]) {
    try {
      storage.removeItem(`c8:seat:${session}`);
    } catch {
      /* ignore */
    }
  }
}

function message(title, text) {
  main.replaceChildren(h("section", { class: "card narrow" }, h("h1", {}, title), h("p", {}, text)));
}

async function joinPage(session, seatId, code) {
  let summary;
  try {
    summary = await api(`/api/sessions/${encodeURIComponent(session)}`);
  } catch (err) {
    message("This session cannot be found", err.status === 404 ? "Check the link with your facilitator." : err.reason);
    return;
  }
  if (summary.imported) {
    // An imported export is a record to replay: nobody joins it.
    message("This session is a record", "It was imported from an export file: open its replay instead.");
    return;
  }
  const held = stored(session);
  const valid = (token) =>
    api(`/api/sessions/${encodeURIComponent(session)}`, { token }).then(
      () => true,
      (e) => e.status !== 401,
    );
  if (held && held.seat === seatId && held.token && (await valid(held.token))) {
    // This browser already holds the seat: straight back into the room.
    history.replaceState(null, "", `/play/${session}`);
    room(session, held);
    return;
  }
  let scenario = null;
  try {
    scenario = await api(`/api/scenarios/${encodeURIComponent(summary.scenario)}`);
  } catch {
    /* the lobby still works without the scenario's text */
  }
  const seat = summary.seats.find((s) => s.id === seatId);
  const teamName = (id) => (summary.teams.find((t) => t.id === id) || { name: id }).name;
  if (!seat) {
    message("This seat does not exist", "Check the link with your facilitator.");
    return;
  }
  const name = h("input", { type: "text", autocomplete: "name", maxLength: 200, required: !seat.name, value: "" });
  const err = errorBox();
  const submit = h("button", { type: "submit", class: "primary" }, seat.name ? `Rejoin as ${seat.name}` : "Join");
  const form = h(
    "form",
    {
      onsubmit: async (e) => {
        e.preventDefault();
        showError(err, "");
        if (!code) {
          showError(err, "This link has no join code: open the full link your facilitator gave you.");
          return;
        }
        submit.disabled = true;
        try {
          const joined = await api(`/api/sessions/${encodeURIComponent(session)}/join`, {
            method: "POST",
            body: { code, name: name.value.trim() || null },
          });
          const held = { token: joined.token, seat: joined.seat, team: joined.team };
          remember(session, held);
          history.replaceState(null, "", `/play/${session}`);
          room(session, held);
        } catch (e2) {
          submit.disabled = false;
          showError(
            err,
            e2.status === 401
              ? "This link no longer opens the seat (the facilitator gave it to someone else). Ask for a new link."
              : e2.reason,
          );
        }
      },
    },
    seat.name
      ? h("p", {}, `This seat is held by ${seat.name}. Opening it here too (a second device) keeps both connected.`)
      : field("Your name", name, "Shown to the other delegations."),
    submit,
    err,
  );
  document.title = `Join ${teamName(seat.team)} — Chapter VIII`;
  main.replaceChildren(
    h(
      "section",
      { class: "card narrow join" },
      h("h1", {}, summary.title),
      scenario ? h("p", { class: "lead" }, scenario.title) : null,
      scenario && scenario.summary ? h("p", {}, scenario.summary) : null,
      h("p", {}, "You are joining as ", h("strong", {}, teamName(seat.team)), ` (seat ${seat.id}).`),
      h("p", { class: "notice" }, "The facilitator can read every channel, private channels included."),
      h("h2", {}, "Who has joined"),
      h(
        "ul",
        { class: "joined" },
        summary.seats.map((s) => h("li", {}, `${teamName(s.team)} (${s.id}): ${s.name ? s.name : "not yet"}`)),
      ),
      form,
    ),
  );
  if (!seat.name) name.focus();
}

function room(session, held) {
  let roomView = null;
  const { store, link, act } = connect({
    session,
    token: held.token,
    prefix: `${held.seat}-${Math.random().toString(36).slice(2, 8)}`,
    onState: (state, l) => {
      connectionBadge(conn, l, state);
      if (state === "revoked") {
        forget(session);
        const note = h(
          "p",
          { class: "error", role: "alert" },
          "This seat was given to someone else, so this device was disconnected. If that is a mistake, ask the facilitator for a new join link.",
        );
        main.prepend(note);
      }
    },
  });
  main.replaceChildren(h("p", { class: "loading" }, "Opening the room…"));
  const ctx = { store, session, team: held.team, seat: held.seat, act, readonly: false };
  store.addEventListener("change", () => {
    const s = store.state;
    if (!s) return;
    if (!roomView) {
      roomView = new Room(ctx);
      main.replaceChildren(roomView.el);
    }
    const seat = s.seats[held.seat];
    const team = s.scenario.teams.find((t) => t.id === held.team);
    who.textContent = `${team ? team.name : held.team}${seat && seat.name ? ` · ${seat.name}` : ""}`;
    const turn = store.view.phase && store.view.phase.holder === held.team && s.status === "running";
    document.title = `${turn ? "Your turn — " : ""}${team ? team.name : held.team} — ${s.title} — Chapter VIII`;
    roomView.render();
  });
  setInterval(() => {
    if (roomView) roomView.tick();
    connectionBadge(conn, link, link.state);
  }, 500);
}

function start() {
  const parts = location.pathname.split("/").filter(Boolean);
  if (parts[0] === "join" && parts.length >= 3) {
    const code = decodeURIComponent(location.hash.slice(1));
    joinPage(decodeURIComponent(parts[1]), decodeURIComponent(parts[2]), code);
    return;
  }
  if (parts[0] === "play" && parts.length >= 2) {
    const session = decodeURIComponent(parts[1]);
    const held = stored(session);
    if (held && held.token) {
      room(session, held);
      return;
    }
    message("Open your join link", "This browser does not hold a seat in this session. Open the join link your facilitator gave you.");
    return;
  }
  message("Nothing here", "Open the join link your facilitator gave you.");
}

start();
