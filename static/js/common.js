// What the player's page and the console share: the connection badge, explaining a refusal,
// and starting a store on a link.

import { showError } from "./dom.js";
import { Link } from "./net.js";
import { Store } from "./store.js";

const ADVICE = {
  not_your_turn: "Not your turn",
  wrong_phase: "Not in this phase",
  paused: "The session is paused",
  not_running: "The session is not running",
  channel_closed: "Closed in this phase",
  invalid_text: "The text does not fit",
  capacity: "Not enough resources",
  duplicate: "Already done",
  closed: "Closed",
  not_eligible: "Not eligible",
  not_allowed: "Not allowed",
  unknown: "Not found",
  rate_limited: "Too fast: wait a moment and try again",
  unavailable: "The server could not save this; try again",
  revoked: "This device no longer holds the seat",
};

export function explain(reply) {
  const lead = ADVICE[reply.code];
  const reason = reply.reason ? reply.reason.charAt(0).toUpperCase() + reply.reason.slice(1) : "";
  if (!lead) return reason || reply.code;
  return reason && reply.code !== "rate_limited" ? `${lead}. ${reason}.`.replace("..", ".") : `${lead}.`;
}

/** Open the store and its link; returns {store, link, act}. */
export function connect({ session, token, prefix, onState }) {
  const store = new Store();
  const link = new Link({
    session,
    token,
    prefix,
    since: () => store.seq,
    onMessage: (m) => store.receive(m),
  });
  store.attach(link);
  link.addEventListener("state", (e) => onState(e.detail.state, link));
  const act = async (command, box) => {
    const reply = await link.command(command);
    if (reply.type === "rejected") showError(box, explain(reply));
    else showError(box, "");
    return reply;
  };
  link.start();
  return { store, link, act };
}

const WORDS = {
  connecting: "Connecting…",
  online: "Connected",
  reconnecting: "Reconnecting…",
  revoked: "Disconnected: this seat was given to someone else",
  gone: "This session no longer exists",
};

/** Keep a status element up to date with the link's state and queued moves. */
export function connectionBadge(el, link, state) {
  const waiting = link.queued;
  el.dataset.state = state;
  let text = WORDS[state] + (waiting && state !== "online" ? ` — ${waiting} move${waiting > 1 ? "s" : ""} waiting to be sent` : "");
  if (state === "reconnecting" && link.failures >= 4 && navigator.onLine) {
    // Online, yet refused again and again: most often the page was opened at another address
    // than the link's (the server only lets its own address open a session socket).
    text += ". Still no connection: check the network, or open the exact link you were given";
  }
  if (el.textContent !== text) el.textContent = text;
}
