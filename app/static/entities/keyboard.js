// Keys (also listed in the ? dialog). t / Shift+T put a word cursor in the
// Arabic / English cell of the current paragraph (j/k choose it). ArrowRight and
// ArrowLeft move to the next or previous word as seen on screen: in the
// right-to-left Arabic, ArrowLeft goes on to the NEXT word (logical +1) and
// ArrowRight back; in the English the other way round. Home/End go to the first
// or last word, Shift with any of these extends the selection. A label's hotkey
// tags the words under the cursor, Enter opens the menu of the entity under it
// with the focus on its best link choice (so Enter, Enter links it; arrows
// choose another, Tab goes on to the labels), Esc (or j/k) leaves. The cursor
// is the browser's own selection highlight plus an outline on the cell; the
// status line (aria-live) says which words it holds.
// With the label palette open after a mouse selection or a tap, a label's hotkey tags too.
import { W, HOTKEY, ui, say, stateOf, pidOf, cellOf, modelOf, coveringEntities, approvedRow, APPROVED_LOCKED, typingIn } from "./context.js";
import { tokensOf, slice } from "./offsets.js";
import { domRange, select } from "./dom.js";
import { ensureRendered } from "./render.js";
import { palette, menu, showPalette, hidePalette, tagPending, openMenu, closeMenu, menuArrow } from "./menus.js";

export function enterCursor(row, lang) {
  if (approvedRow(row)) { say(APPROVED_LOCKED); return; }
  ensureRendered(row);
  const cell = cellOf(row, lang);
  if (!cell) { say(lang === "en" ? "No English to tag yet." : "No Arabic here."); return; }
  const tokens = tokensOf(modelOf(cell));
  if (!tokens.length) { say("No words to tag here."); return; }
  closeMenu(false);
  if (ui.cursor) { leaveCursor(false); }
  ui.cursor = { row: row, cell: cell, lang: lang, anchor: 0, focus: 0 };
  cell.tabIndex = -1;
  cell.classList.add("word-cursor");
  cell.focus({ preventScroll: true });
  showCursor();
}
export function leaveCursor(restoreFocus) {
  if (!ui.cursor) { return; }
  const c = ui.cursor;
  ui.cursor = null;
  c.cell.classList.remove("word-cursor");
  c.cell.removeAttribute("tabindex");
  hidePalette();
  window.getSelection().removeAllRanges();
  if (restoreFocus !== false) { c.row.focus({ preventScroll: true }); }
}
function cursorSpan() {
  const cursor = ui.cursor;
  const tokens = tokensOf(modelOf(cursor.cell));
  const lo = Math.min(cursor.anchor, cursor.focus), hi = Math.max(cursor.anchor, cursor.focus);
  return { start: tokens[lo].start, end: tokens[hi].end, count: hi - lo + 1, at: cursor.focus + 1, of: tokens.length };
}
export function showCursor(silent) {
  const cursor = ui.cursor;
  const model = modelOf(cursor.cell);
  const span = cursorSpan();
  const range = domRange(cursor.cell, model, span.start, span.end);
  select(range);
  ui.pending = { row: cursor.row, cell: cursor.cell, lang: cursor.lang, start: span.start, end: span.end,
                 text: slice(model, span.start, span.end) };
  showPalette(range);
  const rect = range.getBoundingClientRect();
  if (rect.bottom > window.innerHeight || rect.top < 0) { cursor.cell.scrollIntoView({ block: "nearest" }); }
  if (silent) { return; }
  const covering = coveringEntities(stateOf(pidOf(cursor.row)), cursor.lang, span.start, span.end);
  say("«" + ui.pending.text + "» (word " + span.at + " of " + span.of + (span.count > 1 ? ", " + span.count + " words" : "") + ")" +
      (covering.length ? ": tagged " + covering.map(function (e) { return e.label; }).join(", ") + ", Enter for its menu" : "") + ".");
}
function moveCursor(delta, extend, absolute) {
  const cursor = ui.cursor;
  const tokens = tokensOf(modelOf(cursor.cell));
  let target = absolute !== undefined ? absolute : cursor.focus + delta;
  target = Math.max(0, Math.min(tokens.length - 1, target));
  cursor.focus = target;
  if (!extend) { cursor.anchor = target; }
  showCursor();
}

function dialogOpen() { return !!document.querySelector("dialog[open]"); }

// Capture phase, so that these keys win over workspace.js's j/k/e/m/a while a
// word cursor, the label palette or an entity menu is active.
export function listenToKeys() {
  window.addEventListener("keydown", onKey, true);
}
function onKey(event) {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || dialogOpen()) { return; }
  if (typingIn(target)) { return; }
  const key = event.key;
  function handled() { event.preventDefault(); event.stopPropagation(); }

  if (ui.menuState && menu.contains(target)) {
    if (key === "Escape") { handled(); closeMenu(); }
    else if (!event.shiftKey && menuArrow(target, key)) { handled(); }
    return;
  }
  if (ui.menuState && key === "Escape") { handled(); closeMenu(); return; }

  const cursor = ui.cursor;
  if (cursor) {
    const rtl = cursor.lang === "ar";
    const tokens = tokensOf(modelOf(cursor.cell));
    if (key === "ArrowRight" || key === "ArrowLeft") {
      handled();
      const forward = (key === "ArrowRight") !== rtl; // in RTL text ArrowLeft goes on to the next word
      moveCursor(forward ? 1 : -1, event.shiftKey);
    } else if (key === "Home" || key === "End") {
      handled();
      moveCursor(0, event.shiftKey, key === "Home" ? 0 : tokens.length - 1);
    } else if (key === "Escape") {
      handled();
      leaveCursor();
      say("Left the word cursor.");
    } else if (key === "Enter") {
      handled();
      const span = cursorSpan();
      const st = stateOf(pidOf(cursor.row));
      const covering = coveringEntities(st, cursor.lang, span.start, span.end);
      const suggested = st.suggestions.filter(function (s) { return s.lang === cursor.lang && s.start < span.end && s.end > span.start; });
      if (covering.length || suggested.length) {
        const range = domRange(cursor.cell, modelOf(cursor.cell), span.start, span.end);
        openMenu(cursor.row, covering, suggested, range.getBoundingClientRect(), true);
      } else {
        say("No entity here: press a label's key to tag «" + ui.pending.text + "».");
      }
    } else if (!event.shiftKey && HOTKEY[key.toLowerCase()] && key.length === 1) {
      handled();
      tagPending(HOTKEY[key.toLowerCase()].name);
    } else if (key === "t" || key === "T") {
      handled();
      enterCursor(cursor.row, key === "t" ? "ar" : "en");
    } else if (key === "s" && !event.shiftKey) {
      handled(); // the concordance of the words under the cursor (static/memory/main.js)
      document.dispatchEvent(new CustomEvent("mizan:search-memory", { detail: { text: ui.pending.text, lang: cursor.lang } }));
    } else if (key === "j" || key === "k") {
      leaveCursor(); // and let workspace.js move to the next or previous paragraph
    } else if (key.length === 1 && key !== "?") {
      handled(); // no stray approvals or edits while the cursor is in the text
    }
    return;
  }

  if (ui.pending && !palette.hidden) {
    if (key === "Escape") { handled(); hidePalette(); window.getSelection().removeAllRanges(); return; }
    if (!event.shiftKey && key.length === 1 && HOTKEY[key.toLowerCase()]) {
      handled();
      tagPending(HOTKEY[key.toLowerCase()].name);
      return;
    }
  }

  if ((key === "t" || key === "T") && !/^(BUTTON|A|SUMMARY)$/.test(target.tagName)) {
    const row = W.currentRow();
    if (!row) { return; }
    handled();
    enterCursor(row, key === "t" ? "ar" : "en");
  }
}
