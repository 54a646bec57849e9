// Who opens a replay or a debrief page: the facilitator (the console's token), a researcher
// (the token an imported export file came with), or a player (the seat's token). Tokens come
// from the link's fragment (then leave the address bar) or from this browser's storage.

function read(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

/** The session's id from a path such as /replay/{session} or /debrief/{session}. */
export function sessionFromPath() {
  const parts = location.pathname.split("/").filter(Boolean);
  return parts.length > 1 ? decodeURIComponent(parts[1]) : "";
}

/** Keep a researcher's token handed over in the fragment; returns it. */
export function keepResearcher(session, token) {
  try {
    localStorage.setItem(`c8:res:${session}`, token);
  } catch {
    /* the page still works this once */
  }
  return token;
}

/** {token, kind} for this session, or null. */
export function tokenFor(session) {
  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (fromHash) {
    // A replay link carries a researcher's (or the facilitator's) token: out of the bar.
    keepResearcher(session, fromHash);
    history.replaceState(null, "", location.pathname + location.search);
    return { token: fromHash, kind: "researcher" };
  }
  const fac = read(localStorage, `c8:fac:${session}`);
  if (fac) return { token: fac, kind: "facilitator" };
  const res = read(localStorage, `c8:res:${session}`);
  if (res) return { token: res, kind: "researcher" };
  for (const storage of [sessionStorage, localStorage]) {
    const raw = read(storage, `c8:seat:${session}`);
    if (raw) {
      try {
        const seat = JSON.parse(raw);
        if (seat && seat.token) return { token: seat.token, kind: "seat", team: seat.team };
      } catch {
        /* ignore */
      }
    }
  }
  return null;
}

/** Download a file of the API (bearer token in the header) under its own name. */
export async function download(path, token, fallbackName) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (!r.ok) {
    let reason = `the server answered ${r.status}`;
    try {
      reason = (await r.json()).detail.reason || reason;
    } catch {
      /* not JSON */
    }
    throw { code: "error", reason };
  }
  const disposition = r.headers.get("content-disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = match ? match[1] : fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
