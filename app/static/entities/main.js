// Named entities in the review workspace: highlights, tagging by mouse, touch
// and keyboard, relabel/delete/"looks right", Arabic → English links,
// suggestions, and the QA findings of each paragraph. Loaded as a module
// (<script type="module">) after workspace.js, whose window.MizanWorkspace it
// builds on. The parts:
//   offsets.js     the text model (code points ↔ UTF-16) and words: pure, unit-tested in Node
//   context.js     the page's data, per-paragraph state, the shared UI state
//   dom.js         element helpers, DOM positions ↔ offsets, placing floating boxes
//   render.js      highlights, links and suggestions under a paragraph, QA findings
//   api.js         server calls for entities, links and QA
//   menus.js       the label palette and the entity menu
//   keyboard.js    the word cursor and the keys
//   pointer.js     mouse and touch: selections, taps, clicks
//   suggestions.js suggested entities: load, accept, reject
//   undo.js        undo and redo of one's own entity and link changes (buttons, Ctrl+Z, Ctrl+Shift+Z)
import { W, workspace, ANNOTATIONS, stateOf, pidOf, rowOf, ui } from "./context.js";
import { textModel, snap } from "./offsets.js";
import { renderMs, renderRow, rerender, renderQA, watchRows } from "./render.js";
import { fetchQA, reloadEntities, refreshQA } from "./api.js";
import { createMenus } from "./menus.js";
import { listenToKeys, leaveCursor } from "./keyboard.js";
import { listenToPointer } from "./pointer.js";
import { initSuggestions, loadSuggestions } from "./suggestions.js";
import { initUndo } from "./undo.js";

const initStarted = performance.now();

function listenToWorkspace() {
  workspace.addEventListener("mizan:saved", function (event) {
    const row = rowOf(event.target);
    const st = stateOf(pidOf(row));
    if (event.detail && event.detail.qa) { st.qa = event.detail.qa; }
    if (ui.cursor && ui.cursor.row === row && ui.cursor.lang === "en") { leaveCursor(false); }
    st.entities = st.entities.filter(function (e) { return e.lang === "ar"; });
    st.suggestions = st.suggestions.filter(function (s) { return s.lang === "ar"; });
    rerender(row);
    reloadEntities(row).then(function () { return loadSuggestions(row); });
  });
  workspace.addEventListener("mizan:english-changed", function (event) {
    const row = rowOf(event.target);
    const st = stateOf(pidOf(row));
    st.entities = st.entities.filter(function (e) { return e.lang === "ar"; });
    rerender(row);
    reloadEntities(row);
    refreshQA(row);
  });
  workspace.addEventListener("mizan:qa", function (event) {
    const row = rowOf(event.target);
    const st = stateOf(pidOf(row));
    // Blocking findings from a refused approval: keep the others already shown.
    const blocking = event.detail.qa || [];
    st.qa = blocking.concat(st.qa.filter(function (f) { return f.severity !== "error"; }));
    renderQA(row, st.qa);
  });
}

function start() {
  watchRows(W.rows);
  // QA of paragraphs never checked since QA existed: the article API computes them.
  if ((ANNOTATIONS.unchecked || []).length) {
    const unchecked = {};
    ANNOTATIONS.unchecked.forEach(function (pid) { unchecked[String(pid)] = true; });
    setTimeout(function () { fetchQA(unchecked); }, 0);
  }
  createMenus();
  listenToPointer();
  listenToKeys();
  listenToWorkspace();
  window.MizanEntities = {
    initMs: performance.now() - initStarted, // parsing the page's data, observing the rows
    renderMs: renderMs,
    renderRow: renderRow,
    state: stateOf,
    snap: function (text, start, end) { return snap(textModel(text), start, end); }
  };
  initSuggestions();
  initUndo();
}

if (workspace && W) { start(); }
