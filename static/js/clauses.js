// The clause editor: one labelled control per issue of an agenda item, used to draft, table
// and amend texts. It checks nothing the server would not: the engine says whether a text fits.

import { h, uid } from "./dom.js";
import { clause, number, sameValue, teamName } from "./format.js";

/**
 * @param {object} state  the session state (for names)
 * @param {object} item   the agenda item
 * @param {object} o
 * @param {object} o.value     clauses to start from
 * @param {object} [o.base]    the proposal's clauses (amend): each control shows what it says now
 * @param {boolean} [o.blank]  allow "not decided" (drafts)
 * @param {() => void} [o.onChange]
 */
export function clauseEditor(state, item, { value = {}, base = null, blank = false, onChange } = {}) {
  const readers = [];
  const box = h("div", { class: "clause-editor" });
  for (const iss of item.issues) {
    const start = value[iss.id];
    const now = base ? base[iss.id] : undefined;
    const hint = base ? `Now: ${clause(state, iss, now)}` : iss.description || "";
    const { el, read } = control(state, iss, start, blank);
    readers.push([iss, read]);
    const wrap = h("div", { class: "clause-field", dataset: { issue: iss.id } }, el);
    if (hint) wrap.appendChild(h("p", { class: "hint" }, hint));
    box.appendChild(wrap);
  }
  const mark = () => {
    if (!base) return;
    for (const [iss, read] of readers) {
      const wrap = box.querySelector(`[data-issue="${CSS.escape(iss.id)}"]`);
      const v = read();
      wrap.classList.toggle("changed", v !== undefined && !sameValue(v, base[iss.id]));
    }
  };
  box.addEventListener("input", () => {
    mark();
    onChange && onChange();
  });
  box.addEventListener("change", () => {
    mark();
    onChange && onChange();
  });
  mark();
  return {
    el: box,
    /** Every filled clause. */
    read() {
      const out = {};
      for (const [iss, read] of readers) {
        const v = read();
        if (v !== undefined) out[iss.id] = v;
      }
      return out;
    },
    /** Only the clauses that differ from `base` (an amendment). */
    changes() {
      const out = {};
      for (const [iss, read] of readers) {
        const v = read();
        if (v !== undefined && !sameValue(v, base ? base[iss.id] : undefined)) out[iss.id] = v;
      }
      return out;
    },
  };
}

function control(state, iss, start, blank) {
  const id = uid("clause");
  switch (iss.kind) {
    case "choice": {
      const select = h(
        "select",
        { id, name: iss.id },
        blank ? h("option", { value: "" }, "— not decided —") : null,
        iss.options.map((o) => h("option", { value: o.id, selected: start === o.id }, o.label)),
      );
      if (!blank && start === undefined) select.selectedIndex = -1;
      return {
        el: [h("label", { for: id }, iss.title), select],
        read: () => (select.value ? select.value : undefined),
      };
    }
    case "number": {
      const input = h("input", {
        id,
        name: iss.id,
        type: "number",
        inputMode: "numeric",
        min: iss.min ?? undefined,
        max: iss.max ?? undefined,
        step: iss.step ?? "any",
        value: start ?? "",
      });
      const range = `${number(iss.min)} to ${number(iss.max)}${iss.step ? `, in steps of ${number(iss.step)}` : ""}`;
      return {
        el: [
          h("label", { for: id }, `${iss.title}${iss.unit ? ` (${iss.unit})` : ""}`),
          h("div", { class: "with-unit" }, input, h("span", { class: "range" }, range)),
        ],
        read: () => (input.value === "" ? undefined : Number(input.value)),
      };
    }
    case "members": {
      const candidates = iss.candidates || state.scenario.teams.map((t) => t.id);
      const boxes = candidates.map((team) =>
        h("input", { type: "checkbox", name: `${iss.id}`, value: team, checked: Array.isArray(start) && start.includes(team) }),
      );
      const limits = `Choose ${iss.min_members}${iss.max_members ? ` to ${iss.max_members}` : " or more"}.`;
      return {
        el: h(
          "fieldset",
          { class: "checks" },
          h("legend", {}, iss.title),
          boxes.map((b) => h("label", { class: "check" }, b, ` ${teamName(state, b.value)}`)),
          h("p", { class: "hint" }, limits),
        ),
        read: () => {
          const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
          return blank && chosen.length === 0 && start === undefined ? undefined : chosen;
        },
      };
    }
    case "contributions": {
      // One row per team with resources, one column per resource; what each has left beside.
      const teams = state.scenario.teams.filter((t) => Object.keys(t.resources || {}).length);
      const resources = [...new Set(teams.flatMap((t) => Object.keys(t.resources)))].sort();
      const inputs = [];
      const rows = teams.map((t) => {
        const now = (state.teams[t.id] || {}).resources || t.resources;
        return h(
          "tr",
          {},
          h("th", { scope: "row" }, t.name),
          resources.map((resource) => {
            if (!(resource in t.resources)) return h("td", { class: "none" }, "—");
            const v = start && start[t.id] ? start[t.id][resource] : undefined;
            const input = h("input", {
              type: "number",
              min: 0,
              step: "any",
              inputMode: "numeric",
              value: v ?? "",
              "aria-label": `${t.name}: ${resource}`,
            });
            inputs.push([t.id, resource, input]);
            return h("td", {}, input, h("span", { class: "unit" }, `has ${number(now[resource] ?? 0)}`));
          }),
        );
      });
      return {
        el: h(
          "fieldset",
          { class: "contributions" },
          h("legend", {}, iss.title),
          h("p", { class: "hint" }, "Each team's pledge per resource. A package needs the yes vote of every team it asks to contribute."),
          h(
            "div",
            { class: "scroll" },
            h(
              "table",
              {},
              h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Delegation"), resources.map((r) => h("th", { scope: "col" }, r)))),
              h("tbody", {}, rows),
            ),
          ),
        ),
        read: () => {
          const out = {};
          let any = false;
          for (const [team, resource, input] of inputs) {
            if (input.value === "") continue;
            any = true;
            (out[team] ||= {})[resource] = Number(input.value);
          }
          return any || !blank ? out : undefined;
        },
      };
    }
    default:
      return { el: h("p", {}, `${iss.title}: not editable here`), read: () => start };
  }
}

/** A read-only table of a text's clauses. */
export function clauseTable(state, item, clauses, { caption, base } = {}) {
  return h(
    "table",
    { class: "clauses" },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Clause"), h("th", { scope: "col" }, "Text"))),
    h(
      "tbody",
      {},
      item.issues.map((iss) => {
        const changed = base && !sameValue(base[iss.id], clauses[iss.id]);
        return h(
          "tr",
          { class: changed ? "changed" : null },
          h("th", { scope: "row" }, iss.title),
          h("td", {}, clause(state, iss, clauses[iss.id])),
        );
      }),
    ),
  );
}

/** An amendment as a change against its proposal: clause, now, proposed. */
export function diffTable(state, item, now, change, { caption, nowLabel = "Now", newLabel = "Proposed" } = {}) {
  const rows = Object.entries(change).map(([issueId, value]) => {
    const iss = item.issues.find((i) => i.id === issueId);
    return h(
      "tr",
      {},
      h("th", { scope: "row" }, iss ? iss.title : issueId),
      h("td", { class: "old", dataset: { label: nowLabel } }, clause(state, iss, now ? now[issueId] : undefined)),
      h("td", { class: "new", dataset: { label: newLabel } }, clause(state, iss, value)),
    );
  });
  return h(
    "table",
    { class: "clauses diff" },
    caption ? h("caption", {}, caption) : null,
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col" }, "Clause"), h("th", { scope: "col" }, nowLabel), h("th", { scope: "col" }, newLabel)),
    ),
    h("tbody", {}, rows),
  );
}
