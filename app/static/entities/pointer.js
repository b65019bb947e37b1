// Tagging and opening entities with a pointer: the mouse, a finger, a pen.
//
// Mouse: select words (drag, double click) inside one cell — the Arabic, or the
// saved English — and release: the selection is snapped to whole words
// (offsets.snap) and the label palette opens under it. Click an entity for its
// menu; while the menu of an Arabic entity is open, clicking an English entity
// of the same paragraph links the two (and the other way round).
//
// Touch (pointer events, pointerType "touch" or "pen"): tap a word to start —
// it is selected and the palette opens with it; tap the last word (in the same
// cell, either direction) to take every word between; tap a label to tag. A
// long press selects a word natively and its handles can be dragged: the
// selection is snapped and taken like a mouse selection. Tapping an entity
// opens its menu and tapping one of the other language then links them, as
// clicks do. The mouse events a browser sends after a tap are ignored, so the
// tap's own work is not undone.
import { W, workspace, ui, say, stateOf, pidOf, rowOf, entityById, langOfCell, modelOf, taggable, approvedRow, APPROVED_LOCKED } from "./context.js";
import { cpAt, snap, slice, tokenAt, spanOfTokens } from "./offsets.js";
import { u16Within, domRange, select, caretAt } from "./dom.js";
import { rendered, renderRow } from "./render.js";
import { link, unlink, patchEntity, deleteEntity } from "./api.js";
import { palette, menu, showPalette, hidePalette, tagPending, openMenu, closeMenu, menuEntity, entitiesAt } from "./menus.js";
import { leaveCursor } from "./keyboard.js";
import { suggestionBar, findSuggestion, acceptSuggestion, rejectSuggestion, everySuggestion } from "./suggestions.js";

const TAP_SLOP = 10; // px a finger may move and still tap
const AFTER_TOUCH_MS = 1000; // mouse events this soon after a touch are the browser's emulation of it
let lastTouch = -Infinity;
let lastPointerType = "mouse";
let down = null; // {x, y, id} of the finger down now

function byTouch() { return lastPointerType !== "mouse" && performance.now() - lastTouch < AFTER_TOUCH_MS; }

// The words [start, end) (code points) of a cell become the pending tag: selected,
// palette open. `touchAnchor`: the index of the first word tapped, when a finger chose them.
function choose(cell, start, end, touchAnchor) {
  const row = rowOf(cell);
  const model = modelOf(cell);
  if (!rendered.has(row)) { renderRow(row); }
  W.setCurrent(row);
  if (ui.cursor && ui.cursor.cell !== cell) { leaveCursor(false); }
  ui.touch = touchAnchor === undefined ? null : { cell: cell, anchor: touchAnchor };
  ui.pending = { row: row, cell: cell, lang: langOfCell(cell), start: start, end: end, text: slice(model, start, end) };
  const range = domRange(cell, model, start, end);
  select(range);
  showPalette(range);
}

// Reading a mouse selection (or a native touch selection).
function takeSelection() {
  if (!W.editable) { return false; } // readers select text to copy it
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) { return false; }
  const range = selection.getRangeAt(0);
  const startCell = taggable(range.startContainer), endCell = taggable(range.endContainer);
  if (!startCell && !endCell) { return false; }
  if (startCell && endCell && startCell !== endCell) {
    say("Select words inside one cell: the Arabic or the English.");
    return false;
  }
  const cell = startCell || endCell;
  if (approvedRow(rowOf(cell))) { say(APPROVED_LOCKED); return false; }
  const model = modelOf(cell);
  // An edge outside the cell (a triple click ends in the next block) stands for the cell's start or end.
  const a = startCell ? cpAt(model, u16Within(cell, range.startContainer, range.startOffset), false) : 0;
  const b = endCell ? cpAt(model, u16Within(cell, range.endContainer, range.endOffset), true) : model.cps.length;
  if (!rendered.has(rowOf(cell))) { renderRow(rowOf(cell)); }
  const span = snap(model, Math.min(a, b), Math.max(a, b));
  if (!span) { say("Nothing to tag: the selection holds no word."); hidePalette(); return false; }
  const p = ui.pending;
  if (lastPointerType !== "mouse" && p && p.cell === cell && p.start === span.start && p.end === span.end) { return true; }
  choose(cell, span.start, span.end);
  return true;
}

// A tap at (x, y) in a cell: the index of the word under it, or -1. The caret
// position there is the boundary nearest the point; the character on either side
// whose box holds the point is the one tapped.
function wordAt(cell, x, y) {
  const caret = caretAt(x, y);
  if (!caret || taggable(caret.node) !== cell) { return -1; }
  const model = modelOf(cell);
  const cp = cpAt(model, u16Within(cell, caret.node, caret.offset), false);
  for (const i of [cp, cp - 1]) {
    if (i < 0 || i >= model.cps.length) { continue; }
    const rects = domRange(cell, model, i, i + 1).getClientRects();
    for (let r = 0; r < rects.length; r++) {
      const box = rects[r];
      if (x >= box.left - 1 && x <= box.right + 1 && y >= box.top - 1 && y <= box.bottom + 1) { return tokenAt(model, i); }
    }
  }
  return -1;
}

function onTap(event) {
  const target = event.target;
  if (palette.contains(target) || menu.contains(target)) { return; } // their click does it
  const cell = taggable(target);
  if (!cell) {
    if (!workspace.contains(target) || !target.closest("button, a, input, textarea, select, summary")) {
      if (ui.pending && !ui.cursor) { hidePalette(); window.getSelection().removeAllRanges(); }
    }
    return;
  }
  if (ui.cursor) { leaveCursor(false); }
  const extending = ui.touch && ui.touch.cell === cell;
  // An entity or a suggestion opens its menu (or links, with a menu open), as a click does.
  if (!extending && target.closest("span.ent")) { hidePalette(); window.getSelection().removeAllRanges(); return; }
  if (!W.editable) { return; }
  if (approvedRow(rowOf(cell))) { say(APPROVED_LOCKED); return; }
  const index = wordAt(cell, event.clientX, event.clientY);
  if (index < 0) { return; }
  closeMenu(false);
  const model = modelOf(cell);
  if (extending) {
    const span = spanOfTokens(model, ui.touch.anchor, index);
    const anchor = ui.touch.anchor;
    choose(cell, span.start, span.end, anchor);
    const count = Math.abs(index - anchor) + 1;
    say("«" + ui.pending.text + "» (" + count + " word" + (count === 1 ? "" : "s") + "): tap a label to tag it.");
  } else {
    const span = spanOfTokens(model, index, index);
    choose(cell, span.start, span.end, index);
    say("«" + ui.pending.text + "»: tap a label to tag it, or tap the last word to take more.");
  }
}

export function listenToPointer() {
  document.addEventListener("pointerdown", function (event) {
    lastPointerType = event.pointerType || "mouse";
    if (lastPointerType === "mouse") { return; }
    lastTouch = performance.now();
    down = event.isPrimary ? { x: event.clientX, y: event.clientY, id: event.pointerId } : null;
  });
  document.addEventListener("pointercancel", function () { down = null; }); // the finger scrolled
  document.addEventListener("pointerup", function (event) {
    if (event.pointerType === "mouse" || !down || event.pointerId !== down.id) { return; }
    lastTouch = performance.now();
    const moved = Math.hypot(event.clientX - down.x, event.clientY - down.y);
    down = null;
    if (moved <= TAP_SLOP) { onTap(event); }
  });
  // A long press selects a word; its handles change the selection: take it once it settles.
  let settle = null;
  document.addEventListener("selectionchange", function () {
    if (lastPointerType === "mouse" || ui.cursor) { return; }
    clearTimeout(settle);
    settle = setTimeout(function () {
      const selection = window.getSelection();
      if (ui.cursor || !selection.rangeCount || selection.isCollapsed) { return; }
      if (!taggable(selection.anchorNode) && !taggable(selection.focusNode)) { return; }
      takeSelection();
    }, 350);
  });

  document.addEventListener("mousedown", function (event) {
    if (byTouch()) { return; }
    if (palette.contains(event.target) || menu.contains(event.target)) { return; }
    if (ui.cursor) { leaveCursor(false); } // the mouse takes over
    hidePalette();
  });

  document.addEventListener("mouseup", function (event) {
    if (byTouch()) { return; }
    if (palette.contains(event.target) || menu.contains(event.target)) { return; }
    if (!workspace.contains(event.target)) { return; }
    setTimeout(takeSelection, 0);
  });

  document.addEventListener("click", onClick);
}

function onClick(event) {
  const target = event.target;
  if (palette.contains(target)) {
    const choice = target.closest("[data-label]");
    if (choice) { tagPending(choice.getAttribute("data-label")); }
    else if (target.closest("[data-memory-search]") && ui.pending) { // the concordance (static/memory/main.js)
      const detail = { text: ui.pending.text, lang: ui.pending.lang };
      if (ui.cursor) { leaveCursor(false); } else { hidePalette(); }
      document.dispatchEvent(new CustomEvent("mizan:search-memory", { detail: detail }));
    }
    else if (target.closest("[data-palette-close]")) {
      if (ui.cursor) { leaveCursor(); } else { hidePalette(); window.getSelection().removeAllRanges(); }
    }
    return;
  }
  const actionEl = target.closest("[data-ent-action]");
  if (actionEl) { act(actionEl); return; }
  if (menu.contains(target)) {
    if (target.closest("[data-menu-close]")) { closeMenu(); }
    return;
  }
  if (suggestionBar && suggestionBar.contains(target)) {
    const bulk = target.closest("[data-action]");
    if (!bulk || !W.editable) { return; }
    if (bulk.getAttribute("data-action") === "accept-all-suggestions") { everySuggestion(acceptSuggestion, "Accepting"); }
    else { everySuggestion(rejectSuggestion, "Rejecting"); }
    return;
  }
  const spanEl = target.closest && target.closest("span.ent");
  const selection = window.getSelection();
  if (spanEl && workspace.contains(spanEl) && selection.isCollapsed) {
    const row = rowOf(spanEl);
    const found = entitiesAt(row, spanEl);
    const source = ui.menuState && ui.menuState.row === row && ui.menuState.entities[0];
    if (source) {
      const other = found.entities.filter(function (e) { return e.lang !== source.lang; })[0];
      if (other) { closeMenu(false); link(row, source, other); return; }
    }
    if (found.entities.length || found.suggestions.length) {
      // After a tap, the menu keeps clear of the paragraph if it can, so a finger can reach the other side.
      const anchor = byTouch() ? [row.getBoundingClientRect(), spanEl.getBoundingClientRect()] : spanEl.getBoundingClientRect();
      openMenu(row, found.entities, found.suggestions, anchor, false);
      return;
    }
  }
  if (ui.menuState) { closeMenu(false); }
}

function act(button) {
  const action = button.getAttribute("data-ent-action");
  const row = ui.menuState ? ui.menuState.row : rowOf(button);
  if (action === "unlink") {
    unlink(rowOf(button), parseInt(button.getAttribute("data-ar"), 10), parseInt(button.getAttribute("data-en"), 10));
    return;
  }
  if (action === "accept-suggestion" || action === "reject-suggestion") {
    const s = findSuggestion(button.getAttribute("data-suggestion"));
    if (menu.contains(button)) { closeMenu(); }
    if (s) { (action === "accept-suggestion" ? acceptSuggestion : rejectSuggestion)(s, false); }
    return;
  }
  const entity = menuEntity(button);
  if (!entity || !row) { return; }
  if (action === "relabel") {
    const label = button.getAttribute("data-label");
    if (label === entity.label) { return; }
    closeMenu();
    patchEntity(row, entity, { label: label }, function (e) { return "«" + e.text + "» is now " + e.label + "."; });
  } else if (action === "looks-right") {
    closeMenu();
    patchEntity(row, entity, { flagged: false }, function (e) { return "«" + e.text + "» checked: looks right."; });
  } else if (action === "delete") {
    closeMenu();
    deleteEntity(row, entity);
  } else if (action === "link-to") {
    const other = entityById(stateOf(pidOf(row)), parseInt(button.getAttribute("data-target"), 10));
    closeMenu();
    if (other) { link(row, entity, other); }
  }
}
