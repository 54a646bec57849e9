// Building the page: every element comes from h(), and every piece of session data enters the
// page as text (textContent), never as HTML, so nothing a player writes can run as markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") {
        el.addEventListener(key.slice(2).toLowerCase(), value);
      } else if (key in el && !key.includes("-") && key !== "list" && key !== "form") {
        el[key] = value;
      } else el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace an element's children; arrays are flattened, null and false are left out. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

let counter = 0;
/** A fresh id for label/for and aria-* pairs. */
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * Re-render `el` with `build()` only when `key` changed since the last time, and give the
 * keyboard focus back to the element that had it (matched by its data-key), so that a player
 * tabbing through the page does not lose her place when a message arrives.
 */
export function region(el, key, build) {
  if (el.dataset.renderKey === key) return false;
  el.dataset.renderKey = key;
  const active = document.activeElement;
  const focusKey = active && el.contains(active) ? active.dataset.key : null;
  const nodes = [build()].flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false);
  el.replaceChildren(...nodes);
  if (focusKey) {
    const again = el.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
  }
  return true;
}

/** A labelled field: <div class="field"><label for>…</label> control hint</div>. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid();
  const parts = [h("label", { for: control.id }, label), control];
  if (hint) {
    const hintEl = h("p", { class: "hint", id: uid("hint") }, hint);
    control.setAttribute("aria-describedby", hintEl.id);
    parts.push(hintEl);
  }
  return h("div", { class: "field" }, parts);
}

/** A place to show what the server said about an action, next to the action. */
export function errorBox() {
  return h("p", { class: "error", role: "alert", hidden: true });
}

export function showError(box, text) {
  if (!box) return;
  box.textContent = text || "";
  box.hidden = !text;
}
