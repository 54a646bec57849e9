// The websocket link to the server, as docs/protocol.md describes it: the token travels as the
// subprotocol `bearer.<token>` beside `chapter8.v1` (never in the URL); a lost connection is
// reopened with `?since=<last seq>`; commands keep their id until answered, so a command sent
// while the network was down is sent again with the same id and applied once.

const PING_MS = 15000;
const SILENCE_MS = 40000;

export class Link extends EventTarget {
  /**
   * @param {object} o
   * @param {string} o.session
   * @param {string} o.token
   * @param {() => number|null} o.since  the last seq the page holds (null: ask for a snapshot)
   * @param {(message: object) => void} o.onMessage
   * @param {string} o.prefix  prefix of command ids (unique per seat and device)
   */
  constructor({ session, token, since, onMessage, prefix }) {
    super();
    this.session = session;
    this.token = token;
    this.since = since;
    this.onMessage = onMessage;
    this.prefix = prefix;
    this.ws = null;
    this.state = "connecting";
    this.pending = new Map(); // id -> {frame, resolve}
    this.failures = 0;
    this.count = 0;
    this.stopped = false;
    this.lastHeard = Date.now();
    this.timer = null;
    this.retry = null;
    window.addEventListener("offline", () => this._drop("offline"));
    window.addEventListener("online", () => this._reconnectNow());
  }

  start() {
    this._open();
    this.timer = setInterval(() => this._heartbeat(), PING_MS / 3);
  }

  stop() {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    if (this.ws) this.ws.close(1000, "bye");
  }

  _setState(state, detail = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, ...detail } }));
  }

  _url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const since = this.since();
    const query = since === null || since === undefined ? "" : `?since=${since}`;
    return `${scheme}://${location.host}/ws/sessions/${encodeURIComponent(this.session)}${query}`;
  }

  _open() {
    if (this.stopped) return;
    clearTimeout(this.retry);
    if (!navigator.onLine) {
      this._setState("reconnecting", { why: "offline" });
      return;
    }
    let ws;
    try {
      ws = new WebSocket(this._url(), ["chapter8.v1", `bearer.${this.token}`]);
    } catch (err) {
      this._scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.failures = 0;
      this.lastHeard = Date.now();
      this._setState("online");
      for (const { frame } of this.pending.values()) ws.send(frame);
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let message;
      try {
        message = JSON.parse(e.data);
      } catch {
        return;
      }
      if ((message.type === "accepted" || message.type === "rejected") && message.id) {
        const waiting = this.pending.get(message.id);
        if (waiting) {
          this.pending.delete(message.id);
          waiting.resolve(message);
        }
      }
      this.onMessage(message);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (e.code === 4003) {
        this._setState("revoked");
        this.stopped = true;
        this._failPending("revoked", "your seat was given to someone else");
        return;
      }
      this.failures += 1;
      this._setState("reconnecting", { code: e.code });
      this._scheduleRetry();
    };
    ws.onerror = () => {};
  }

  _scheduleRetry() {
    if (this.stopped) return;
    clearTimeout(this.retry);
    const base = Math.min(8000, 500 * 2 ** Math.min(this.failures, 4));
    this.retry = setTimeout(() => this._open(), base * (0.75 + Math.random() / 2));
    if (this.failures >= 3) this._checkToken();
  }

  async _checkToken() {
    // A browser cannot read why an upgrade was refused: ask the REST API whether the token
    // still works (401: the seat changed hands; 404: the session is gone).
    try {
      const r = await fetch(`/api/sessions/${encodeURIComponent(this.session)}`, {
        headers: { Authorization: `Bearer ${this.token}` },
      });
      if (r.status === 401 || r.status === 403) {
        this.stopped = true;
        clearTimeout(this.retry);
        this._setState("revoked");
        this._failPending("revoked", "this link no longer opens the seat");
      } else if (r.status === 404) {
        this.stopped = true;
        clearTimeout(this.retry);
        this._setState("gone");
      }
    } catch {
      /* still offline: keep trying */
    }
  }

  _drop(why) {
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close();
    }
    if (!this.stopped) this._setState("reconnecting", { why });
  }

  _reconnectNow() {
    if (this.stopped) return;
    this.failures = 0;
    if (!this.ws) this._open();
  }

  _heartbeat() {
    if (this.stopped) return;
    if (!navigator.onLine && this.ws) {
      this._drop("offline");
      return;
    }
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      // Nothing heard for too long (a laptop lid, a dead wifi): start again with `since`.
      this._drop("silent");
      this._scheduleRetry();
      return;
    }
    if (Date.now() - this.lastHeard > PING_MS) this.send({ type: "ping", nonce: `p${Date.now()}` });
  }

  _failPending(code, reason) {
    for (const [id, { resolve }] of this.pending) resolve({ type: "rejected", id, code, reason });
    this.pending.clear();
  }

  /** Send a protocol message now if the socket is open (pings, syncs). */
  send(message) {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ protocol: 1, ...message }));
      return true;
    }
    return false;
  }

  /** Ask the engine to act; resolves with the `accepted` or `rejected` reply. */
  command(command) {
    this.count += 1;
    const id = `${this.prefix}-${Date.now().toString(36)}-${this.count}`;
    const frame = JSON.stringify({ protocol: 1, type: "command", id, command });
    return new Promise((resolve) => {
      this.pending.set(id, { frame, resolve });
      const ws = this.ws;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(frame);
    });
  }

  get queued() {
    return this.pending.size;
  }
}

/** A fetch of the REST API with a bearer token; throws {code, reason} on an error status. */
export async function api(path, { method = "GET", token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let r;
  try {
    r = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw { code: "network", reason: "the server cannot be reached: check the network" };
  }
  const type = r.headers.get("content-type") || "";
  const data = type.includes("json") ? await r.json() : await r.text();
  if (!r.ok) {
    const detail = (data && data.detail) || data || {};
    throw {
      status: r.status,
      code: detail.code || "error",
      reason: detail.reason || `the server answered ${r.status}`,
    };
  }
  return data;
}
