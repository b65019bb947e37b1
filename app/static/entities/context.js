// What the entity modules share: the page's data, the per-paragraph state, the
// cells' text models, and the UI state (ui: the pending selection, the word
// cursor, the open menu). Builds on workspace.js (window.MizanWorkspace:
// request(), say(), the rows, the current row), which runs first.
import { textModel, slice } from "./offsets.js";

export const W = window.MizanWorkspace;
export const workspace = document.getElementById("workspace");
export const ARTICLE = workspace ? workspace.getAttribute("data-article-id") : null;
export const LABELS = readJSON("labels-data", []);
// {entities: {pid: [[id, lang, start, end, label, flagged]]}, links: {pid: [[ar id, en id]]}, qa: {pid: [...]},
//  unchecked: [pid]} — see the article view.
export const ANNOTATIONS = readJSON("annotations-data", {});
["entities", "links", "qa"].forEach(function (key) { ANNOTATIONS[key] = ANNOTATIONS[key] || {}; });
export const LABEL = {};
export const HOTKEY = {};
LABELS.forEach(function (label) {
  LABEL[label.name] = label;
  if (!label.retired && label.hotkey) { HOTKEY[label.hotkey.toLowerCase()] = label; }
});
export const OFFERED = LABELS.filter(function (label) { return !label.retired; });

// pending: {row, cell, lang, start, end, text} — the words the palette would tag;
// cursor: {row, cell, lang, anchor, focus} — the keyboard word cursor;
// menuState: {row, entities, suggestions, returnFocus} — the open entity menu;
// touch: {cell, anchor} — the first word tapped, waiting for the last.
export const ui = { pending: null, cursor: null, menuState: null, touch: null };

export function say(message) { W.say(message); }

function readJSON(id, fallback) {
  const el = document.getElementById(id);
  try { return el ? JSON.parse(el.textContent) : fallback; } catch (e) { return fallback; }
}

// Per paragraph: entities, links, QA findings, suggestions. ----------------------
export const STATE = {};
export function stateOf(pid) {
  pid = String(pid);
  if (!STATE[pid]) {
    const row = rowById(pid);
    const models = {};
    STATE[pid] = {
      entities: (ANNOTATIONS.entities[pid] || []).map(function (e) {
        const lang = e[1];
        if (!(lang in models)) { const cell = row && cellOf(row, lang); models[lang] = cell ? modelOf(cell) : null; }
        return { id: e[0], lang: lang, start: e[2], end: e[3], label: e[4], flagged: e[5],
                 text: models[lang] ? slice(models[lang], e[2], e[3]) : "" };
      }),
      links: (ANNOTATIONS.links[pid] || []).map(function (l) { return { ar_entity_id: l[0], en_entity_id: l[1] }; }),
      qa: ANNOTATIONS.qa[pid] || [],
      suggestions: []
    };
  }
  return STATE[pid];
}
export function rowById(pid) { return document.getElementById("p-" + pid); }
export function pidOf(row) { return row.getAttribute("data-paragraph-id"); }
export function rowOf(node) { return node && node.closest ? node.closest("[data-paragraph-id]") : null; }
// Entities of an approved paragraph change only after it is reopened (the API refuses with 409).
// Keys typed into a text field (the English editor, the find box) are the field's, not the page's shortcuts.
export function typingIn(target) {
  return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
}
export function approvedRow(row) { return !!row && row.getAttribute("data-status") === "approved"; }
export const APPROVED_LOCKED = "This paragraph is approved: reopen it to change its entities.";
export function entityById(st, id) {
  for (let i = 0; i < st.entities.length; i++) { if (st.entities[i].id === id) { return st.entities[i]; } }
  return null;
}
export function coveringEntities(st, lang, start, end) {
  return st.entities.filter(function (e) { return e.lang === lang && e.start < end && e.end > start; })
    .sort(function (a, b) { return (a.end - a.start) - (b.end - b.start); });
}
export function colourOf(name) { return (LABEL[name] && LABEL[name].colour) || "#7f7f7f"; }
export function tint(colour) { return /^#[0-9a-f]{6}$/i.test(colour) ? colour + "33" : "rgb(127 127 127 / .2)"; }

// Cells and their text models ---------------------------------------------------
export function cellOf(row, lang) {
  const cell = row.querySelector(lang === "ar" ? "p.ar" : "p[data-en-text]");
  return cell && !cell.hasAttribute("data-empty") ? cell : null;
}
export function langOfCell(cell) { return cell.classList.contains("ar") ? "ar" : "en"; }
export function modelOf(cell) {
  const text = cell.textContent;
  if (cell._mizanModel && cell._mizanModel.text === text) { return cell._mizanModel; }
  cell._mizanModel = textModel(text);
  return cell._mizanModel;
}
// The taggable cell (the Arabic, or the saved English) holding a node, if any.
export function taggable(node) {
  const el = node && (node.nodeType === 1 ? node : node.parentElement);
  const cell = el && el.closest("p.ar, p[data-en-text]");
  return cell && workspace.contains(cell) && !cell.hasAttribute("data-empty") ? cell : null;
}
