// Rendering. A row's highlights are built when it first comes near the viewport
// (IntersectionObserver; at once on any interaction), so a 500-paragraph article
// costs nothing up front. The cell's text is split at every span boundary and
// each piece wrapped in a <span> listing the entities (data-ents) and suggestions
// (data-sugs) covering it: label colour as background, one underline per further
// entity for overlaps, dotted outline for "check", dashed outline for
// suggestions. textContent only: user text never goes through innerHTML. Label
// names (title) and link numbers (data-mark, shown by CSS ::after) are
// attributes, so a cell's textContent — what workspace.js saves — stays the text.
import { W, ui, stateOf, pidOf, entityById, colourOf, tint, cellOf, modelOf } from "./context.js";
import { make, bdi, swatch, actionButton } from "./dom.js";
import { showCursor } from "./keyboard.js";

export const rendered = new WeakSet();
export const renderMs = []; // performance.now() per row render, for the curious (window.MizanEntities.renderMs)

function linkNumbers(st) {
  const marks = {};
  st.links.forEach(function (link, i) {
    [link.ar_entity_id, link.en_entity_id].forEach(function (id) { (marks[id] = marks[id] || []).push(i + 1); });
  });
  return marks;
}

function renderCell(cell, items) {
  const model = modelOf(cell);
  const n = model.cps.length;
  items = items.filter(function (it) { return it.start >= 0 && it.end <= n && it.end > it.start; });
  if (!items.length) {
    if (cell.childNodes.length !== 1 || cell.firstChild.nodeType !== 3) { cell.textContent = model.text; }
    return 0;
  }
  const cuts = [0, n];
  items.forEach(function (it) { cuts.push(it.start, it.end); });
  cuts.sort(function (a, b) { return a - b; });
  items.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
  const fragment = document.createDocumentFragment();
  let active = [];
  let next = 0;
  let spans = 0;
  for (let c = 0; c < cuts.length - 1; c++) {
    const from = cuts[c], to = cuts[c + 1];
    if (to === from) { continue; }
    active = active.filter(function (it) { return it.end > from; });
    while (next < items.length && items[next].start <= from) { active.push(items[next++]); }
    const text = model.text.slice(model.toU16[from], model.toU16[to]);
    if (!active.length) { fragment.appendChild(document.createTextNode(text)); continue; }
    fragment.appendChild(segment(text, active, to));
    spans++;
  }
  cell.textContent = "";
  cell.appendChild(fragment);
  return spans;
}

function segment(text, active, to) {
  const span = document.createElement("span");
  span.textContent = text;
  const entities = active.filter(function (it) { return it.kind === "entity"; });
  const suggestions = active.filter(function (it) { return it.kind === "suggestion"; });
  // The innermost (shortest) entity colours the background; every other one adds an underline.
  entities.sort(function (a, b) { return (a.end - a.start) - (b.end - b.start); });
  const classes = ["ent"];
  const titles = [];
  const marks = [];
  if (entities.length) {
    span.setAttribute("data-ents", entities.map(function (it) { return it.id; }).join(" "));
    span.style.backgroundColor = tint(colourOf(entities[0].label));
    span.style.boxShadow = entities.map(function (it, i) {
      return "inset 0 -" + (2 + 3 * i) + "px 0 " + colourOf(it.label);
    }).join(", ");
    if (entities.length > 1) { classes.push("ent-overlap"); }
    entities.forEach(function (it) {
      titles.push(it.label + (it.flagged ? " (check)" : "") + (it.marks ? " · link " + it.marks.join(",") : ""));
      if (it.flagged) { classes.push("ent-flagged"); }
      if (it.marks && it.end === to) { marks.push(it.marks.join(",")); }
    });
  }
  if (suggestions.length) {
    classes.push("ent-suggestion");
    span.setAttribute("data-sugs", suggestions.map(function (it) { return it.id; }).join(" "));
    span.style.setProperty("--suggestion", colourOf(suggestions[0].label));
    suggestions.forEach(function (it) { titles.push("suggested " + it.label + " (" + (it.source || "suggestion") + ")"); });
  }
  if (marks.length) { span.setAttribute("data-mark", marks.join(" ")); }
  span.className = classes.join(" ");
  span.title = titles.join(" + ");
  return span;
}

export function renderRow(row) {
  const started = performance.now();
  rendered.add(row);
  const pid = pidOf(row);
  const st = stateOf(pid);
  const marks = linkNumbers(st);
  let spans = 0;
  ["ar", "en"].forEach(function (lang) {
    const cell = cellOf(row, lang);
    if (!cell) { return; }
    const items = [];
    st.entities.forEach(function (e) {
      if (e.lang === lang) {
        items.push({ kind: "entity", id: e.id, start: e.start, end: e.end, label: e.label, flagged: e.flagged,
                     marks: marks[e.id] });
      }
    });
    st.suggestions.forEach(function (s) {
      if (s.lang === lang) { items.push({ kind: "suggestion", id: s.key, start: s.start, end: s.end, label: s.label, source: s.source }); }
    });
    spans += renderCell(cell, items);
  });
  renderExtras(row, st);
  renderQA(row, st.qa);
  if (ui.cursor && ui.cursor.row === row) { showCursor(true); }
  const ms = performance.now() - started;
  renderMs.push(ms);
  row.setAttribute("data-entities-rendered", String(spans));
  return ms;
}
export function ensureRendered(row) { if (row && !rendered.has(row)) { renderRow(row); } }
export function rerender(row) { if (row) { renderRow(row); } }

// Under the paragraph: its links and its suggestions.
function renderExtras(row, st) {
  let box = row.querySelector(".para-extras");
  const wanted = st.links.length || st.suggestions.length;
  if (!wanted) { if (box) { box.remove(); } return; }
  if (!box) {
    box = document.createElement("div");
    box.className = "para-extras";
    row.appendChild(box);
  }
  box.textContent = "";
  if (st.links.length) {
    const heading = make("p", "extras-title", "Links");
    const list = make("ul", "entity-links");
    list.setAttribute("aria-label", "Entity links of " + row.getAttribute("aria-label").toLowerCase());
    st.links.forEach(function (link, i) {
      const ar = entityById(st, link.ar_entity_id), en = entityById(st, link.en_entity_id);
      if (!ar || !en) { return; }
      const item = make("li", "entity-link");
      item.appendChild(make("span", "link-number", String(i + 1)));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(bdi(ar.text, "ar"));
      item.appendChild(document.createTextNode(" → "));
      item.appendChild(bdi(en.text, "en"));
      item.appendChild(document.createTextNode(" "));
      if (W.editable) {
        const remove = actionButton("✕", "unlink", "link-remove");
        remove.setAttribute("aria-label", "Remove link " + ar.text + " → " + en.text);
        remove.setAttribute("data-ar", ar.id);
        remove.setAttribute("data-en", en.id);
        item.appendChild(remove);
      }
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }
  if (st.suggestions.length) {
    box.appendChild(make("p", "extras-title", "Suggestions"));
    const suggestions = make("ul", "suggestion-list");
    suggestions.setAttribute("aria-label", "Suggested entities of " + row.getAttribute("aria-label").toLowerCase());
    st.suggestions.forEach(function (s) {
      const item = make("li", "suggestion");
      item.appendChild(swatch(s.label));
      item.appendChild(document.createTextNode(s.label + " "));
      item.appendChild(bdi(s.text, s.lang));
      item.appendChild(document.createTextNode(" (" + (s.lang === "ar" ? "Arabic" : "English") +
        (s.source ? ", " + s.source : "") + ") "));
      if (W.editable) {
        item.appendChild(suggestionButton("Accept", "accept-suggestion", s));
        item.appendChild(suggestionButton("Reject", "reject-suggestion", s));
      }
      suggestions.appendChild(item);
    });
    box.appendChild(suggestions);
  }
}
export function suggestionButton(text, action, s) {
  const b = actionButton(text, action);
  b.setAttribute("data-suggestion", s.key);
  b.setAttribute("aria-label", text + " " + s.label + " " + s.text);
  return b;
}

export function renderQA(row, findings) {
  const box = row.querySelector("[data-qa]");
  if (!box) { return; }
  box.textContent = "";
  if (!findings || !findings.length) { return; }
  const list = make("ul", "qa-list");
  list.setAttribute("aria-label", "QA checks");
  findings.forEach(function (f) {
    const item = make("li", "qa-" + f.severity);
    item.setAttribute("data-check", f.check);
    item.appendChild(make("strong", null, f.severity === "error" ? "Error: " : f.severity === "warning" ? "Warning: " : "Note: "));
    item.appendChild(document.createTextNode(f.message));
    list.appendChild(item);
  });
  box.appendChild(list);
}

// Lazy rendering of highlights as rows come near the viewport.
let observer = null;
export function watch(row) {
  if (rendered.has(row)) { return; }
  if (observer) { observer.observe(row); } else { renderRow(row); }
}
export function watchRows(rows) {
  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); ensureRendered(entry.target); }
      });
    }, { rootMargin: "800px 0px" });
  }
  rows.forEach(watch); // rows with nothing to show are cheap: their text stays one text node
}
