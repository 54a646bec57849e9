// What a player types is never lost: every draft input is kept in sessionStorage (per session)
// as she types, restored when its form is built again, and cleared only once the server has
// accepted what it was for.

export function keyFor(session, name) {
  return `c8:input:${session}:${name}`;
}

export function load(session, name, fallback = null) {
  try {
    const raw = sessionStorage.getItem(keyFor(session, name));
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function save(session, name, value) {
  try {
    if (value === null || value === undefined || value === "") {
      sessionStorage.removeItem(keyFor(session, name));
    } else {
      sessionStorage.setItem(keyFor(session, name), JSON.stringify(value));
    }
  } catch {
    /* storage full or blocked: the value stays in the page */
  }
}

export function clear(session, name) {
  save(session, name, null);
}

/** Keep a text input's value under `name`: restore it now, save on every keystroke. */
export function keepInput(session, el, name) {
  const kept = load(session, name);
  if (kept !== null && typeof kept === "string") el.value = kept;
  el.addEventListener("input", () => save(session, name, el.value));
}
